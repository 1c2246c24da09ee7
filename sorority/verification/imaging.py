"""Sanitisation of uploaded verification images (docs/security.md requirement 15).

Every selfie frame and ID photo goes through :func:`sanitize_image` before it is
encrypted and stored. The function accepts untrusted bytes and either returns a
freshly encoded baseline JPEG built from decoded pixels only, or raises
:class:`InvalidImage` with a stable, snake_case ``code``.

Pipeline:

1. magic-byte allowlist (JPEG, PNG, WebP; HEIF only when explicitly allowed and
   ``pillow-heif`` is installed);
2. ``Image.open(fp, formats=[<the detected format>])`` so that no other Pillow
   plugin (SVG is never supported, but PDF/EPS/GIF/TIFF/... are) can parse it;
3. decompression-bomb protection: Pillow's ``MAX_IMAGE_PIXELS`` check with
   ``DecompressionBombWarning`` escalated to an error, plus an explicit check
   against ``max_pixels`` and ``max_dimension`` *before* decoding;
4. full ``load()`` so that truncated or corrupt files are rejected. For large
   JPEGs the decoder is first told to use libjpeg's DCT-domain scaling (1/2,
   1/4 or 1/8) when the scaled image still keeps at least
   :data:`DCT_SCALING_MIN_RATIO` of ``out_max_side`` on its longest side: every
   byte of the entropy-coded data is still decoded (truncation and corruption
   are still detected), but the full-resolution bitmap is never materialised,
   which makes sanitising a 12 MP photo faster than a plain full-size decode
   and bounds memory for 40 MP inputs. A 4000x3000 photo thus becomes
   2000x1500 rather than 2048x1536;
5. ``ImageOps.exif_transpose`` (orientation is applied to the pixels, since the
   metadata that carried it is dropped);
6. conversion to 8-bit RGB (alpha flattened onto white, 16-bit greyscale scaled);
7. downscale so that the longest side is at most ``out_max_side``;
8. copy of the raw pixels into a brand-new image (no ``info`` dict, hence no
   EXIF, XMP, ICC profile, comment or trailing data can survive) and JPEG
   encoding of that copy.

Pillow state: importing this module *tightens* the process-wide
``PIL.Image.MAX_IMAGE_PIXELS`` to :data:`DEFAULT_MAX_PIXELS` (it never loosens
it). Warning filters are only changed for the duration of the call via
``warnings.catch_warnings``; note that on Python 3.11 ``catch_warnings`` is not
thread-safe (it swaps the global filter list), which is why the pixel limit is
also enforced explicitly and does not rely on the warning alone.
"""

from __future__ import annotations

import io
import warnings
from typing import Final, Literal

from PIL import Image, ImageFile, ImageOps

__all__ = [
    "DCT_SCALING_MIN_RATIO",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "OUTPUT_CONTENT_TYPE",
    "InvalidImage",
    "InvalidImageCode",
    "heif_available",
    "sanitize_image",
]

InvalidImageCode = Literal[
    "empty_file",
    "unsupported_type",
    "too_large",
    "too_many_pixels",
    "corrupt_image",
]

# 40 megapixels, as required by docs/security.md §15.
DEFAULT_MAX_PIXELS: Final = 40_000_000
# Matches FILE_UPLOAD_MAX_MEMORY_SIZE (docs/security.md §14); defence in depth only.
DEFAULT_MAX_BYTES: Final = 8 * 1024 * 1024
OUTPUT_CONTENT_TYPE: Final = "image/jpeg"
# JPEG DCT scaling may leave the output's longest side this much below
# out_max_side (see module docstring, step 4).
DCT_SCALING_MIN_RATIO: Final = 0.9

# Tighten (never loosen) Pillow's global decompression-bomb threshold.
if Image.MAX_IMAGE_PIXELS is None or Image.MAX_IMAGE_PIXELS > DEFAULT_MAX_PIXELS:
    Image.MAX_IMAGE_PIXELS = DEFAULT_MAX_PIXELS

# ISO BMFF major brands that identify HEIF still images (HEVC-coded or generic).
# AVIF ("avif"/"avis") is deliberately not listed.
_HEIF_BRANDS: Final = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"heif"}
)

# Modes that hold more than 8 bits per sample; scaled down to "L" (16-bit range).
_HIGH_BIT_DEPTH_MODES: Final = frozenset({"I", "F", "I;16", "I;16L", "I;16B", "I;16N"})


class InvalidImage(ValueError):
    """Raised when an upload is not an acceptable image.

    ``code`` is stable and meant for API responses and metrics; ``message`` is a
    short English explanation that never contains any byte of the upload.
    """

    def __init__(self, code: InvalidImageCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code: InvalidImageCode = code
        self.message: str = message


def heif_available() -> bool:
    """Return True when ``pillow-heif`` is importable and can decode HEIF."""
    return _heif_image_file_class() is not None


def _heif_image_file_class() -> type[ImageFile.ImageFile] | None:
    # Imported lazily and used directly (not through ``register_heif_opener``)
    # so that HEIF is never added to Pillow's global plugin registry: only
    # this function, and only with ``allow_heif=True``, will parse HEIF.
    try:
        from pillow_heif import libheif_info
        from pillow_heif.as_plugin import HeifImageFile
    except ImportError:
        return None
    try:
        if not libheif_info().get("decoders"):
            return None
    except Exception:  # pragma: no cover - broken native extension
        return None
    return HeifImageFile


def _detect_format(data: bytes, *, allow_heif: bool) -> str | None:
    """Identify the container from its magic bytes; None if not allowed."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if (
        allow_heif
        and len(data) >= 12
        and data[4:8] == b"ftyp"
        and data[8:12] in _HEIF_BRANDS
    ):
        return "HEIF"
    return None


def _to_rgb(img: Image.Image) -> Image.Image:
    """Convert any decoded mode to 8-bit RGB."""
    if img.mode == "RGB":
        return img
    if img.mode in _HIGH_BIT_DEPTH_MODES:
        # A plain convert("L") would clip 16-bit samples to white.
        source = img if img.mode == "F" else img.convert("I")
        return source.point(lambda value: value * (1 / 256)).convert("RGB")
    has_alpha = img.mode in {"RGBA", "LA", "PA", "RGBa", "La"} or (
        img.mode == "P" and "transparency" in img.info
    )
    if has_alpha:
        # Flatten onto white: dropping alpha would reveal whatever colour data
        # hides under transparent pixels, and white reads best for moderators.
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def _downscale(img: Image.Image, out_max_side: int) -> Image.Image:
    width, height = img.size
    longest = max(width, height)
    if longest <= out_max_side:
        return img
    scale = out_max_side / longest
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # reducing_gap lets Pillow pre-shrink by an integer factor with a box
    # filter before the Lanczos pass: much faster, visually indistinguishable.
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _check_geometry(
    size: tuple[int, int], *, max_dimension: int, max_pixels: int
) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise InvalidImage("corrupt_image", "The image has no pixels.")
    if width * height > max_pixels:
        raise InvalidImage(
            "too_many_pixels", f"The image has more than {max_pixels} pixels."
        )
    if width > max_dimension or height > max_dimension:
        raise InvalidImage(
            "too_large",
            f"The image is wider or taller than {max_dimension} pixels.",
        )


def _jpeg_draft(img: Image.Image, out_max_side: int) -> None:
    """Ask libjpeg to decode at 1/2, 1/4 or 1/8 scale when that is enough."""
    width, height = img.size
    longest = max(width, height)
    for factor in (8, 4, 2):
        if longest / factor >= out_max_side * DCT_SCALING_MIN_RATIO:
            # Pillow picks the largest scale s with size // requested >= s.
            img.draft(None, (width // factor, height // factor))
            return


def _decode(
    data: bytes,
    fmt: str,
    *,
    max_dimension: int,
    max_pixels: int,
    out_max_side: int,
) -> Image.Image:
    """Open, size-check and fully decode the image; returns a loaded image."""
    fp = io.BytesIO(data)
    if fmt == "HEIF":
        heif_cls = _heif_image_file_class()
        if heif_cls is None:
            raise InvalidImage("unsupported_type", "HEIF images are not supported.")
        img: Image.Image = heif_cls(fp)
        # Direct plugin instantiation skips Image.open's bomb check: do it here.
        Image._decompression_bomb_check(img.size)
    else:
        img = Image.open(fp, formats=[fmt])
    _check_geometry(img.size, max_dimension=max_dimension, max_pixels=max_pixels)
    if fmt == "JPEG":
        # Only for JPEG: for HEIF, draft() would select an embedded thumbnail,
        # which is a separate, attacker-chosen picture.
        _jpeg_draft(img, out_max_side)
    # Decode every byte of the first frame: raises on truncated/corrupt data
    # (as long as ImageFile.LOAD_TRUNCATED_IMAGES keeps its default False).
    img.load()
    # Some decoders (e.g. JPEG draft mode, HEIF) may report a new size on load.
    _check_geometry(img.size, max_dimension=max_dimension, max_pixels=max_pixels)
    return img


def sanitize_image(
    data: bytes,
    *,
    max_dimension: int = 8000,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    out_max_side: int = 2048,
    quality: int = 85,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_heif: bool = False,
) -> bytes:
    """Validate an untrusted image and return a clean JPEG re-encoded from pixels.

    Args:
        data: the uploaded bytes.
        max_dimension: maximum width or height of the *input*, in pixels.
        max_pixels: maximum width x height of the input. Pillow's global
            ``Image.MAX_IMAGE_PIXELS`` also applies, so the effective limit is
            the smaller of the two.
        out_max_side: the output's longest side is downscaled to at most this.
        quality: JPEG quality of the output (1-95).
        max_bytes: maximum accepted input size in bytes.
        allow_heif: also accept HEIC/HEIF (requires ``pillow-heif``). Off by
            default: docs/security.md §15 allowlists JPEG, PNG and WebP only.

    Returns:
        Baseline JPEG bytes (RGB, no EXIF/XMP/ICC/comment segments).

    Raises:
        InvalidImage: with code ``empty_file``, ``unsupported_type``,
            ``too_large``, ``too_many_pixels`` or ``corrupt_image``. No Pillow
            exception ever escapes.
    """
    if not data:
        raise InvalidImage("empty_file", "The file is empty.")
    if len(data) > max_bytes:
        raise InvalidImage("too_large", f"The file is larger than {max_bytes} bytes.")
    fmt = _detect_format(data, allow_heif=allow_heif)
    if fmt is None:
        raise InvalidImage(
            "unsupported_type", "Only JPEG, PNG and WebP images are accepted."
        )

    try:
        with warnings.catch_warnings():
            # Escalate the bomb warning (pixels between MAX_IMAGE_PIXELS and
            # twice that) to an exception; above 2x Pillow raises by itself.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = _decode(
                data,
                fmt,
                max_dimension=max_dimension,
                max_pixels=max_pixels,
                out_max_side=out_max_side,
            )
            img = ImageOps.exif_transpose(img)
            img = _to_rgb(img)
            img = _downscale(img, out_max_side)
            # Rebuild from raw pixels: the new image has an empty ``info`` so
            # nothing but pixels (no EXIF, XMP, ICC, comments) reaches the encoder.
            clean = Image.frombytes("RGB", img.size, img.tobytes())
            out = io.BytesIO()
            clean.save(out, format="JPEG", quality=quality, optimize=True)
    except InvalidImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidImage("too_many_pixels", "The image has too many pixels.") from exc
    except Exception as exc:
        # Pillow raises OSError, SyntaxError, ValueError, struct.error,
        # EOFError, ... for malformed input; a magic-byte match that Pillow
        # cannot identify (UnidentifiedImageError) is corrupt as well.
        raise InvalidImage(
            "corrupt_image", "The image is damaged or could not be decoded."
        ) from exc
    return out.getvalue()
