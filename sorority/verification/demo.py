"""Demo: the pending demo applicant has a submission waiting (drawn pictures, no person)."""

import io

from PIL import Image, ImageDraw

from sorority.core.demo import DemoContext

DEMO_SESSION = "demo-seed"


def _selfie(code: str, pose: str, index: int) -> bytes:
    image = Image.new("RGB", (640, 480), (200 + index * 15, 225, 240))
    draw = ImageDraw.Draw(image)
    draw.ellipse((220, 80, 420, 320), fill=(238, 200, 170), outline=(90, 60, 40), width=4)
    draw.ellipse((270, 160, 290, 180), fill=(40, 40, 40))
    draw.ellipse((350, 160, 370, 180), fill=(40, 40, 40))
    draw.arc((280, 220, 360, 270), 10, 170, fill=(150, 50, 60), width=4)
    draw.rectangle((440, 250, 620, 330), fill=(255, 255, 255), outline=(0, 0, 0), width=2)
    draw.text((460, 280), code, fill=(0, 0, 120))
    draw.text((20, 440), f"DEMO {pose} #{index}", fill=(0, 0, 0))
    return _jpeg(image)


def _document(code: str, side: str) -> bytes:
    image = Image.new("RGB", (800, 520), (230, 236, 245))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((40, 40, 560, 360), radius=20, fill=(180, 205, 235), outline=(20, 40, 90), width=4)
    draw.text((60, 60), f"DEMO IDENTITY CARD ({side}) - NOT A REAL DOCUMENT", fill=(20, 20, 60))
    if side == "front":
        draw.rectangle((70, 110, 200, 280), fill=(238, 200, 170))
        draw.text((230, 130), "NOM / SURNAME: EXEMPLE", fill=(0, 0, 0))
        draw.text((230, 170), "PRENOM / GIVEN NAME: CAMILLE", fill=(0, 0, 0))
        draw.text((230, 210), "NE(E) LE / BORN: 01.02.1990", fill=(0, 0, 0))
    draw.rectangle((600, 380, 780, 470), fill=(255, 255, 255), outline=(0, 0, 0), width=2)
    draw.text((620, 415), code, fill=(0, 0, 120))
    return _jpeg(image)


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def seed(ctx: DemoContext) -> None:
    from sorority.verification import gestures
    from sorority.verification.models import VerificationChallenge, VerificationRequest
    from sorority.verification.services import Upload, session_hash, submission_create

    user = ctx.people.get("applicant_pending")
    if user is None:
        return
    waiting = VerificationRequest.objects.filter(
        user=user, state__in=("submitted", "in_review")
    ).first()
    if waiting is not None and waiting.documents.exists():
        return
    case = VerificationRequest.objects.filter(
        user=user, state__in=("draft", "revision_requested")
    ).first() or VerificationRequest.objects.create(user=user)
    challenge = VerificationChallenge.objects.create(
        user=user,
        request=case,
        session_hash=session_hash(DEMO_SESSION),
        pose=gestures.draw_pose(),
        code=gestures.draw_code(),
    )
    submission_create(
        user=user,
        session_key=DEMO_SESSION,
        challenge_id=challenge.pk,
        selfies=[Upload(_selfie(challenge.code, challenge.pose, i), "selfie") for i in range(1, 4)],
        id_front=Upload(_document(challenge.code, "front"), "id_front"),
        id_back=Upload(_document(challenge.code, "back"), "id_back"),
        declaration=True,
    )
    ctx.notes.append(
        "Verification: the pending applicant's demo photos wait in the moderators' queue "
        "(/verification/moderation/)."
    )
