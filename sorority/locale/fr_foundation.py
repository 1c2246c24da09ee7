"""French translations of the foundation catalogue (sorority/locale), applied with polib.

Run `python sorority/locale/fr_foundation.py` after `makemessages` to refill msgstr.
"""

from pathlib import Path

import polib

FR = {
    "French": "Français",
    "English": "Anglais",
    "Choose a display name of at least 2 characters.": "Choisissez un pseudonyme d'au moins 2 caractères.",
    "A display name has at most 40 characters.": "Un pseudonyme compte au plus 40 caractères.",
    "A display name must not contain an e-mail, a link or a phone number.": "Un pseudonyme ne doit contenir ni e-mail, ni lien, ni numéro de téléphone.",
    "Display name (a pseudonym, never your legal name)": "Pseudonyme (jamais votre nom légal)",
    "I agree that Sorority processes sensitive data about me (my situation, my live selfie and identity document, destroyed at the decision) as described in the privacy notice.": "J'accepte que Sorority traite des données sensibles me concernant (ma situation, mon selfie en direct et ma pièce d'identité, détruits dès la décision) comme décrit dans la politique de confidentialité.",
    "Your explicit consent is needed to sign up.": "Votre consentement explicite est nécessaire pour vous inscrire.",
    "Neutral page titles, icon and e-mails, in case someone looks at your screen or mailbox.": "Titres de pages, icône et e-mails neutres, au cas où quelqu'un regarderait votre écran ou votre messagerie.",
    "Where the quick exit takes you. Leave empty for a weather search.": "Où vous emmène la sortie rapide. Laissez vide pour une recherche météo.",
    "Applicant, verification not started": "Candidate, vérification non commencée",
    "Applicant, verification pending": "Candidate, vérification en attente",
    "Applicant, asked to resubmit": "Candidate, nouvel envoi demandé",
    "Applicant, refused": "Candidate, refusée",
    "Member": "Membre",
    "Banned": "Exclue",
    "e-mail address": "adresse e-mail",
    "display name": "pseudonyme",
    "discreet mode": "mode discret",
    "quick exit destination": "destination de la sortie rapide",
    "person": "personne",
    "people": "personnes",
    "Moderator": "Modératrice",
    "Association staff": "Équipe d'association",
    "Signed up": "Inscription",
    "Status changed": "Statut modifié",
    "Role granted": "Rôle attribué",
    "Role revoked": "Rôle retiré",
    "Blocked someone": "A bloqué quelqu'un",
    "Your settings are saved.": "Vos réglages sont enregistrés.",
    "You have a new notification": "Vous avez une nouvelle notification",
    "Something new is waiting for you. Sign in to see it.": "Du nouveau vous attend. Connectez-vous pour le voir.",
    "Call": "Appel",
    "SMS": "SMS",
    "hotline": "ligne d'écoute",
    "Bad request": "Requête incorrecte",
    "Something in the request was not right. Please go back and try again.": "Quelque chose n'allait pas dans la demande. Revenez en arrière et réessayez.",
    "Not allowed": "Accès refusé",
    "You may not see this page.": "Vous ne pouvez pas voir cette page.",
    "Back to the home page": "Retour à l'accueil",
    "Page not found": "Page introuvable",
    "This page does not exist, or you may not see it.": "Cette page n'existe pas, ou vous ne pouvez pas la voir.",
    "Hello,": "Bonjour,",
    "If you did not ask for this, you can ignore this message.": "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.",
    "Here is the code to confirm your e-mail address. Enter it in the page that asked for it:": "Voici le code pour confirmer votre adresse e-mail. Saisissez-le dans la page qui vous l'a demandé :",
    "To confirm your e-mail address, open this link:": "Pour confirmer votre adresse e-mail, ouvrez ce lien :",
    "Second factor required": "Second facteur requis",
    "Moderation pages show sensitive documents. They need a sign-in with a second factor (a security key or passkey).": "Les pages de modération montrent des documents sensibles. Elles exigent une connexion avec un second facteur (clé de sécurité ou clé d'accès).",
    "You have a second factor: sign out, then sign in again with it.": "Vous avez un second facteur : déconnectez-vous, puis reconnectez-vous avec lui.",
    "Sign out": "Se déconnecter",
    "Set up a second factor": "Configurer un second facteur",
    "My account": "Mon compte",
    "Save": "Enregistrer",
    "Security": "Sécurité",
    "Change my password": "Changer mon mot de passe",
    "My e-mail address": "Mon adresse e-mail",
    "Two-factor authentication and passkeys": "Double authentification et clés d'accès",
    "My sessions and devices": "Mes sessions et appareils",
    "My verification": "Ma vérification",
    "Your account is created. To join the community, a moderator must check a live selfie and an identity document.": "Votre compte est créé. Pour rejoindre la communauté, une modératrice doit vérifier un selfie pris en direct et une pièce d'identité.",
    "Start my verification": "Commencer ma vérification",
    "Your documents are waiting for a moderator. You will receive a neutral e-mail when she has decided.": "Vos documents attendent une modératrice. Vous recevrez un e-mail neutre dès qu'elle aura décidé.",
    "The moderator asks you to take your photos again.": "La modératrice vous demande de reprendre vos photos.",
    "Take my photos again": "Reprendre mes photos",
    "Your sign-up was not accepted. Your documents have been destroyed.": "Votre inscription n'a pas été acceptée. Vos documents ont été détruits.",
    "Until you are verified, you can see only this page, safety information and your account.": "Tant que vous n'êtes pas vérifiée, vous ne voyez que cette page, les informations de sécurité et votre compte.",
    "My account and data": "Mon compte et mes données",
    "Safety information": "Informations de sécurité",
    "Quick exit": "Sortie rapide",
    "(or press Shift 3 times)": "(ou appuyez 3 fois sur Maj)",
    "Skip to content": "Aller au contenu",
    "Main": "Principal",
    "Sign in": "Se connecter",
    "Join": "Rejoindre",
    "Safety and emergency numbers": "Sécurité et numéros d'urgence",
    "Emergency numbers": "Numéros d'urgence",
    "In danger?": "En danger ?",
    "Help, day and night": "De l'aide, jour et nuit",
    "Before you start": "Avant de commencer",
    "Before you start: stay safe": "Avant de commencer : restez en sécurité",
    "If you are in danger now, call 17 (or 112), or send an SMS to 114.": "Si vous êtes en danger maintenant, appelez le 17 (ou le 112), ou envoyez un SMS au 114.",
    "Is your phone or computer watched?": "Votre téléphone ou votre ordinateur est-il surveillé ?",
    "Someone close to you may read your e-mails, messages or browsing history, or track your phone. If you can, use a device and an e-mail address that only you can open.": "Une personne proche peut lire vos e-mails, vos messages ou votre historique, ou suivre votre téléphone. Si vous le pouvez, utilisez un appareil et une adresse e-mail que vous seule pouvez ouvrir.",
    "Use your browser's private browsing mode: it keeps no history of this site.": "Utilisez la navigation privée de votre navigateur : elle ne garde aucun historique de ce site.",
    "The Quick exit button (or Shift pressed 3 times) blanks the page, signs you out and opens a weather page at once.": "Le bouton Sortie rapide (ou Maj pressée 3 fois) efface la page, vous déconnecte et ouvre aussitôt une page météo.",
    "You can turn on discreet mode in your account: neutral page title, icon and e-mails.": "Vous pouvez activer le mode discret dans votre compte : titre de page, icône et e-mails neutres.",
    "What someone else could notice": "Ce qu'une autre personne pourrait remarquer",
    "Visible": "Visible",
    "Signing up sends a confirmation code to your e-mail address.": "L'inscription envoie un code de confirmation à votre adresse e-mail.",
    "Verification asks for your camera: you take a live selfie and a photo of your identity document.": "La vérification utilise votre caméra : vous prenez un selfie en direct et une photo de votre pièce d'identité.",
    "We e-mail you, with a neutral subject, when a moderator has decided.": "Nous vous écrivons, avec un objet neutre, quand une modératrice a décidé.",
    "What happens to your documents": "Ce que deviennent vos documents",
    "Your selfie and identity document are encrypted as soon as they arrive, seen only by the one moderator who reviews them, and destroyed (data and encryption key) the moment she decides — or automatically after 30 days if no decision is made. Only a keyed fingerprint of your name and birth date is kept, never the names themselves. You can see the date of deletion in your account.": "Votre selfie et votre pièce d'identité sont chiffrés dès leur arrivée, vus seulement par la modératrice qui les examine, et détruits (données et clé de chiffrement) dès qu'elle décide — ou automatiquement au bout de 30 jours sans décision. Seule une empreinte chiffrée de votre nom et de votre date de naissance est conservée, jamais les noms eux-mêmes. La date de suppression est indiquée dans votre compte.",
    "Who may join": "Qui peut rejoindre",
    "Sorority is for women and gender minorities only. The sex marker on your documents is never a reason to refuse you.": "Sorority est réservée aux femmes et aux personnes issues des minorités de genre. La mention du sexe sur vos papiers n'est jamais un motif de refus.",
    "I understand, create my account": "J'ai compris, créer mon compte",
    "More safety advice": "Plus de conseils de sécurité",
    "Home": "Accueil",
    "Welcome, %(name)s": "Bienvenue, %(name)s",
    "You are a verified member of the community.": "Vous êtes membre vérifiée de la communauté.",
    "A safe, verified community of women": "Une communauté de femmes sûre et vérifiée",
    "Sorority: women helping women, near you": "Sorority : des femmes qui aident des femmes, près de chez vous",
    "A closed community of women and gender minorities facing domestic violence, and of the members who help them: someone to listen, to go with you to the doctor, the police or an interview, or a safe place to sleep for one or more nights.": "Une communauté fermée de femmes et de personnes issues des minorités de genre face aux violences conjugales, et des membres qui les aident : quelqu'un pour écouter, vous accompagner chez le médecin, au commissariat ou à un entretien, ou un lieu sûr pour dormir une ou plusieurs nuits.",
    "Join the community": "Rejoindre la communauté",
    "How it works": "Comment ça marche",
    "Everyone is verified by a person.": "Chaque inscription est vérifiée par une personne.",
    "You sign up with a live selfie and an identity document. A moderator checks them, then they are destroyed for good, whatever the decision.": "Vous vous inscrivez avec un selfie en temps réel et une pièce d'identité. Une modératrice les vérifie, puis ils sont définitivement supprimés, quelle que soit la décision.",
    "Find support near you.": "Trouvez du soutien près de chez vous.",
    "Members who offer to listen or to go with you somewhere are listed nearest first.": "Les membres qui proposent d'écouter ou de vous accompagner sont classées de la plus proche à la plus éloignée.",
    "Find a safe place to flee.": "Trouvez un lieu sûr pour fuir.",
    "Members who can host you for a night or more appear with pink hair on the map. Contact several at once if you must leave suddenly.": "Les membres qui peuvent vous accueillir une ou plusieurs nuits apparaissent avec les cheveux roses sur la carte. Contactez-en plusieurs à la fois si vous devez partir soudainement.",
    "Associations stay in charge.": "Les associations restent aux commandes.",
    "Associations search for hosts on behalf of a victim and follow each stay.": "Les associations cherchent des hébergements pour une victime et suivent chaque séjour.",
    "Your exact address is never stored: the map only knows an area of a few square kilometres.": "Votre adresse exacte n'est jamais enregistrée : la carte ne connaît qu'une zone de quelques kilomètres carrés.",
    "Our community is everywhere": "Notre communauté est partout",
    "In cities and in rural areas alike.": "Dans les villes comme dans les zones rurales.",
    "Offline": "Hors ligne",
    "You are offline": "Vous êtes hors ligne",
    "In danger? Call 17 or 112, or send an SMS to 114.": "En danger ? Appelez le 17 ou le 112, ou envoyez un SMS au 114.",
    "Safety": "Sécurité",
    "If you are in immediate danger, call 17 or 112. If you cannot speak, send an SMS to 114.": "Si vous êtes en danger immédiat, appelez le 17 ou le 112. Si vous ne pouvez pas parler, envoyez un SMS au 114.",
    "Using this site safely": "Utiliser ce site en sécurité",
    "Quick exit: the button at the top of every page, or Shift pressed 3 times, blanks the page, signs you out and leaves for a neutral site.": "Sortie rapide : le bouton en haut de chaque page, ou Maj pressée 3 fois, efface la page, vous déconnecte et part vers un site neutre.",
    "Prefer a device and an e-mail address that only you can open; use private browsing.": "Préférez un appareil et une adresse e-mail que vous seule pouvez ouvrir ; utilisez la navigation privée.",
    "Never put a host in danger: if you are being followed or threatened, call 17 first.": "Ne mettez jamais une hébergeuse en danger : si vous êtes suivie ou menacée, appelez d'abord le 17.",
    "Sign in to continue.": "Connectez-vous pour continuer.",
    "Your account must be verified first.": "Votre compte doit d'abord être vérifié.",
    "Sign in with a second factor to continue.": "Connectez-vous avec un second facteur pour continuer.",
    "You may not do this.": "Vous ne pouvez pas faire cela.",
    "This account is closed.": "Ce compte est fermé.",
    "Hotlines": "Numéros d'aide",
    "Name": "Nom",
    "Number": "Numéro",
    "Channel": "Canal",
    "Description (French)": "Description (français)",
    "Description (English)": "Description (anglais)",
    "Emergency number (shown in the top strip)": "Numéro d'urgence (affiché dans le bandeau du haut)",
    "Position": "Position",
    "Shown": "Affiché",
    "The directory is saved.": "L'annuaire est enregistré.",
    "Hotline directory": "Annuaire des numéros d'aide",
    "These numbers are shown on every page. The last empty row adds a number.": "Ces numéros apparaissent sur chaque page. La dernière ligne vide permet d'en ajouter un.",
    "New number": "Nouveau numéro",
    "Save the directory": "Enregistrer l'annuaire",
    "Discreet mode": "Mode discret",
    "Suspended": "Suspendue",
    "Messages and notifications": "Messages et notifications",
    "Reinstated": "Rétablie",
    "Privacy notice": "Politique de confidentialité",
    "Terms of use": "Conditions d'utilisation",
    "My data: export, deletion, discreet mode": "Mes données : export, suppression, mode discret",
}
FR_PLURAL = {"%(n)s unread": ("%(n)s non lu", "%(n)s non lus")}


def main() -> None:
    path = Path(__file__).parent / "fr" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(path))
    missing = []
    for entry in po:
        if entry.msgid_plural:
            one, many = FR_PLURAL.get(entry.msgid, ("", ""))
            entry.msgstr_plural = {0: one, 1: many}
            if not one:
                missing.append(entry.msgid)
        elif entry.msgid in FR:
            entry.msgstr = FR[entry.msgid]
        else:
            missing.append(entry.msgid)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.metadata["Language"] = "fr"
    po.metadata["Plural-Forms"] = "nplurals=2; plural=(n > 1);"
    po.save()
    if missing:
        raise SystemExit(f"Untranslated: {missing}")


if __name__ == "__main__":
    main()
