"""The liveness challenge: a pose drawn from a pool of 52 and a code to handwrite.

A pose is one of 26 hand gestures made with the left or the right hand. Codes use an
alphabet without look-alike characters (no 0/O, 1/I/L, 2/Z, 5/S, 8/B, 6/G).
"""

import secrets
from typing import Final

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

CODE_ALPHABET: Final = "ACDEFHJKMNPRTUVWXY3479"
CODE_LENGTH: Final = 6

_GESTURES: Final = {
    "thumb_up": _("Show a thumbs-up with your %(hand)s hand next to your face."),
    "thumb_down": _("Show a thumbs-down with your %(hand)s hand next to your face."),
    "v_sign": _("Make a V with two fingers of your %(hand)s hand next to your face."),
    "one_finger": _("Raise one finger of your %(hand)s hand next to your face."),
    "three_fingers": _("Raise three fingers of your %(hand)s hand next to your face."),
    "four_fingers": _("Raise four fingers of your %(hand)s hand next to your face."),
    "open_palm": _("Show the open palm of your %(hand)s hand next to your face."),
    "fist": _("Hold your %(hand)s fist next to your face."),
    "ok_sign": _("Make an OK sign with your %(hand)s hand next to your face."),
    "pinky_up": _("Raise only the little finger of your %(hand)s hand."),
    "phone_sign": _("Make a telephone sign (thumb and little finger) with your %(hand)s hand."),
    "touch_nose": _("Touch your nose with the index finger of your %(hand)s hand."),
    "touch_ear": _("Touch your ear with your %(hand)s hand."),
    "touch_chin": _("Touch your chin with the index finger of your %(hand)s hand."),
    "touch_forehead": _("Put your %(hand)s hand flat on your forehead."),
    "hand_on_head": _("Put your %(hand)s hand on top of your head."),
    "cover_eye": _("Cover one eye with your %(hand)s hand."),
    "hand_on_cheek": _("Put your %(hand)s hand on your cheek."),
    "point_up": _("Point up to the ceiling with the index finger of your %(hand)s hand."),
    "point_camera": _("Point at the camera with the index finger of your %(hand)s hand."),
    "wave": _("Hold your %(hand)s hand up as if waving, fingers spread."),
    "cross_fingers": _("Cross two fingers of your %(hand)s hand next to your face."),
    "salute": _("Salute with your %(hand)s hand at your forehead."),
    "hand_on_shoulder": _("Put your %(hand)s hand on the opposite shoulder."),
    "finger_on_lips": _("Put the index finger of your %(hand)s hand on your lips."),
    "claw": _("Bend the fingers of your %(hand)s hand like a claw next to your face."),
}
_HANDS: Final = {"left": _("left"), "right": _("right")}

POSES: Final[tuple[str, ...]] = tuple(
    f"{gesture}:{hand}" for gesture in _GESTURES for hand in _HANDS
)


def draw_pose() -> str:
    """Return a pose drawn uniformly at random from the pool."""
    return secrets.choice(POSES)


def draw_code() -> str:
    """Return a fresh code to handwrite."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def pose_text(pose: str) -> str:
    """Return the pose as an instruction in the active language."""
    gesture, _sep, hand = pose.partition(":")
    if gesture not in _GESTURES or hand not in _HANDS:
        return ""
    return gettext(str(_GESTURES[gesture])) % {"hand": _HANDS[hand]}


def instruction(pose: str, code: str) -> str:
    """Return the full instruction: write the code, hold it, make the pose."""
    return gettext(
        "Write the code %(code)s in large letters on a sheet of paper and hold it "
        "next to your face. %(pose)s"
    ) % {"code": code, "pose": pose_text(pose)}
