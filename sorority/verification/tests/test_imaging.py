"""Tests for sorority.verification.imaging (docs/security.md requirement 15).

All fixtures are generated in-test with Pillow; nothing is read from disk.
"""

from __future__ import annotations

import io
import random
import struct
import warnings
import zlib

import pytest
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

from sorority.verification.imaging import (
    InvalidImage,
    heif_available,
    sanitize_image,
)

# --------------------------------------------------------------------------
# Fixture helpers
# --------------------------------------------------------------------------


def _encode(img: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **params)
    return buf.getvalue()


def _photo(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """A photo-like RGB image: smooth gradients plus mild noise."""
    width, height = size
    rng = random.Random(seed)
    small = Image.new("RGB", (64, 48))
    small.putdata(
        [
            (rng.randrange(256), rng.randrange(256), rng.randrange(256))
            for _ in range(64 * 48)
        ]
    )
    base = small.resize((width, height), Image.Resampling.BICUBIC)
    noise = Image.effect_noise((width, height), 12).convert("RGB")
    return Image.blend(base, noise, 0.15)


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims width x height but carries (almost) no data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + _png_chunk(b"IEND", b"")
    )


def _jpeg_segments(data: bytes) -> list[int]:
    """Return the marker bytes of all JPEG segments before the scan data."""
    assert data[:2] == b"\xff\xd8"
    markers: list[int] = []
    pos = 2
    while pos < len(data):
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        pos += 2 + length
    return markers


def _assert_clean_jpeg(out: bytes) -> Image.Image:
    assert out.startswith(b"\xff\xd8\xff")
    assert out.endswith(b"\xff\xd9")
    markers = _jpeg_segments(out)
    assert 0xE1 not in markers  # APP1: EXIF / XMP
    assert 0xE2 not in markers  # APP2: ICC profile / MPF
    assert 0xFE not in markers  # COM: comments
    img = Image.open(io.BytesIO(out), formats=["JPEG"])
    img.load()
    assert img.format == "JPEG"
    assert img.mode == "RGB"
    assert len(img.getexif()) == 0
    for key in ("exif", "icc_profile", "xmp", "comment"):
        assert key not in img.info
    return img


@pytest.fixture(scope="module")
def photo_12mp_jpeg() -> bytes:
    data = _encode(_photo((4000, 3000)), "JPEG", quality=90)
    assert len(data) < 8 * 1024 * 1024
    return data


def _code(data: bytes, **kwargs: object) -> str:
    with pytest.raises(InvalidImage) as excinfo:
        sanitize_image(data, **kwargs)  # type: ignore[arg-type]
    return excinfo.value.code


# --------------------------------------------------------------------------
# Accepted inputs
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_allowed_formats_are_reencoded_to_clean_jpeg(fmt: str) -> None:
    data = _encode(_photo((320, 240)), fmt)
    out = sanitize_image(data)
    img = _assert_clean_jpeg(out)
    assert img.size == (320, 240)


def test_12mp_jpeg_is_accepted_and_downscaled(photo_12mp_jpeg: bytes) -> None:
    out = sanitize_image(photo_12mp_jpeg)
    img = _assert_clean_jpeg(out)
    # Decoded at 1/2 scale by libjpeg (2000 >= 0.9 * 2048): no resampling.
    assert img.size == (2000, 1500)
    assert len(out) < len(photo_12mp_jpeg)


def test_12mp_png_is_resampled_to_exactly_out_max_side() -> None:
    data = _encode(Image.new("RGB", (4000, 3000), (90, 120, 150)), "PNG")
    img = _assert_clean_jpeg(sanitize_image(data, max_bytes=64 * 1024 * 1024))
    assert img.size == (2048, 1536)


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        # 1/2 scale gives 1500 < 0.9 * 2048: full decode, then Lanczos.
        ((3000, 2000), (2048, 1365)),
        # 1/2 scale gives 3000 (1/4 would give 1500): draft, then Lanczos.
        ((6000, 4000), (2048, 1365)),
        # 1/4 scale gives exactly 2000.
        ((8000, 4000), (2000, 1000)),
    ],
)
def test_large_jpeg_output_size(
    size: tuple[int, int], expected: tuple[int, int]
) -> None:
    # Content is irrelevant here; a flat image keeps the fixture cheap.
    data = _encode(Image.new("RGB", size, (90, 120, 150)), "JPEG")
    assert _assert_clean_jpeg(sanitize_image(data)).size == expected


def test_dct_scaled_jpeg_still_detects_truncation(photo_12mp_jpeg: bytes) -> None:
    truncated = photo_12mp_jpeg[: len(photo_12mp_jpeg) * 2 // 3]
    assert _code(truncated) == "corrupt_image"


def test_dct_scaling_keeps_orientation() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    data = _encode(_two_halves((4000, 2000)), "JPEG", exif=exif.tobytes())
    img = _assert_clean_jpeg(sanitize_image(data))
    assert img.size == (1000, 2000)
    assert _is_red(img.getpixel((500, 200)))
    assert _is_blue(img.getpixel((500, 1800)))


def test_portrait_is_downscaled_on_its_longest_side() -> None:
    data = _encode(_photo((1000, 3000)), "JPEG")
    img = _assert_clean_jpeg(sanitize_image(data, out_max_side=600))
    assert img.size == (200, 600)


def test_small_image_is_not_upscaled() -> None:
    img = _assert_clean_jpeg(sanitize_image(_encode(_photo((50, 30)), "PNG")))
    assert img.size == (50, 30)


def _two_halves(size: tuple[int, int]) -> Image.Image:
    """Left half red, right half blue."""
    width, height = size
    img = Image.new("RGB", size, (0, 0, 255))
    img.paste((255, 0, 0), (0, 0, width // 2, height))
    return img


def _is_red(pixel: tuple[int, ...]) -> bool:
    return pixel[0] > 200 and pixel[1] < 60 and pixel[2] < 60


def _is_blue(pixel: tuple[int, ...]) -> bool:
    return pixel[0] < 60 and pixel[1] < 60 and pixel[2] > 200


def test_exif_orientation_is_applied_to_pixels() -> None:
    exif = Image.Exif()
    # 6 = "rotate 90 degrees clockwise to display".
    exif[ExifTags.Base.Orientation] = 6
    data = _encode(_two_halves((80, 40)), "JPEG", exif=exif.tobytes(), quality=95)

    img = _assert_clean_jpeg(sanitize_image(data))

    assert img.size == (40, 80)
    # Rotating clockwise brings the left (red) half to the top.
    assert _is_red(img.getpixel((20, 10)))
    assert _is_blue(img.getpixel((20, 70)))


def test_alpha_is_flattened_onto_white_without_leaking_hidden_colour() -> None:
    # Fully transparent pixels whose colour channels hold red.
    img = Image.new("RGBA", (32, 32), (255, 0, 0, 0))
    img.paste((0, 0, 255, 255), (0, 0, 16, 32))
    out = _assert_clean_jpeg(sanitize_image(_encode(img, "PNG")))
    right = out.getpixel((28, 16))
    assert all(channel > 240 for channel in right)
    assert _is_blue(out.getpixel((4, 16)))


def test_palette_and_greyscale_inputs_become_rgb() -> None:
    palette = _photo((64, 64)).convert("P")
    grey = _photo((64, 64)).convert("L")
    for img in (palette, grey):
        _assert_clean_jpeg(sanitize_image(_encode(img, "PNG")))


def test_16_bit_greyscale_png_is_scaled_not_clipped() -> None:
    img = Image.new("I;16", (16, 16), 0x8000)  # mid grey in 16-bit
    out = _assert_clean_jpeg(sanitize_image(_encode(img, "PNG")))
    red, green, blue = out.getpixel((8, 8))
    assert 110 < red < 150
    assert red == green == blue


# --------------------------------------------------------------------------
# Metadata and polyglots
# --------------------------------------------------------------------------


def test_gps_exif_xmp_icc_and_comment_are_stripped() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    exif[ExifTags.Base.DateTimeOriginal] = "2024:01:02 03:04:05"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 24.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 21.0, 7.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">home-address</x:xmpmeta>'
    data = _encode(
        _photo((200, 150)),
        "JPEG",
        exif=exif.tobytes(),
        icc_profile=icc,
        xmp=xmp,
        comment=b"secret-comment",
    )
    # Sanity check: the fixture really carries the metadata.
    src = Image.open(io.BytesIO(data))
    assert src.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "icc_profile" in src.info

    out = sanitize_image(data)

    _assert_clean_jpeg(out)
    for marker in (b"SpyCam", b"2024:01:02", b"home-address", b"secret-comment"):
        assert marker not in out
    assert b"Exif" not in out
    assert b"ICC_PROFILE" not in out
    assert b"http://ns.adobe.com/xap" not in out


def test_png_html_polyglot_loses_trailing_html() -> None:
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    data = _encode(_photo((64, 64)), "PNG") + html
    out = sanitize_image(data)
    _assert_clean_jpeg(out)
    assert b"<html" not in out
    assert b"<script" not in out
    assert b"alert(" not in out


def test_png_text_chunk_payload_is_dropped() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>gps</x:xmpmeta>")
    data = _encode(_photo((64, 64)), "PNG", pnginfo=info)
    out = sanitize_image(data)
    _assert_clean_jpeg(out)
    assert b"<script" not in out
    assert b"xmpmeta" not in out


def test_jpeg_with_trailing_payload_loses_it() -> None:
    data = _encode(_photo((64, 64)), "JPEG") + b"PK\x03\x04zip-polyglot-payload"
    out = sanitize_image(data)
    _assert_clean_jpeg(out)
    assert b"zip-polyglot-payload" not in out


# --------------------------------------------------------------------------
# Rejections
# --------------------------------------------------------------------------


def test_empty_file_is_rejected() -> None:
    assert _code(b"") == "empty_file"


_SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
    b'width="10" height="10"><script>alert(1)</script></svg>'
)
_PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
_EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n"
_HEIC_HEADER = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_SVG, id="svg"),
        pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg'/>", id="bare-svg"),
        pytest.param(_PDF, id="pdf"),
        pytest.param(_EPS, id="eps"),
        pytest.param(b"\xc5\xd0\xd3\xc6" + b"\x00" * 28, id="binary-eps"),
        pytest.param(b"hello, this is not an image\n", id="text"),
        pytest.param(b"<!doctype html><html><script></script>", id="html"),
        pytest.param(_HEIC_HEADER, id="heic-not-allowed"),
        pytest.param(b"RIFF\x00\x00\x00\x00WAVEfmt ", id="riff-wave"),
        pytest.param(b"\xff\xd8", id="two-byte-jpeg-prefix"),
    ],
)
def test_non_image_types_are_rejected(data: bytes) -> None:
    assert _code(data) == "unsupported_type"


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "ICO", "PPM", "TGA"])
def test_other_pillow_formats_are_rejected(fmt: str) -> None:
    data = _encode(Image.new("RGB", (16, 16), (1, 2, 3)), fmt)
    assert _code(data) == "unsupported_type"


def test_png_header_claiming_huge_dimensions_is_a_bomb() -> None:
    # 100 000 x 100 000 = 10 GP, far above 2 x MAX_IMAGE_PIXELS: Pillow raises.
    assert _code(_png_header_only(100_000, 100_000)) == "too_many_pixels"


def test_bomb_warning_range_is_escalated_to_an_error() -> None:
    # 7000 x 7000 = 49 MP: above 40 MP (warning) but below 2x (Pillow's error),
    # and within max_dimension, so only the escalated warning can stop it.
    data = _png_header_only(7000, 7000)
    assert _code(data, max_pixels=10**9) == "too_many_pixels"


def test_explicit_max_pixels_is_enforced_before_decoding() -> None:
    assert _code(_png_header_only(2000, 2000), max_pixels=1_000_000) == (
        "too_many_pixels"
    )


def test_max_dimension_is_enforced_before_decoding() -> None:
    assert _code(_png_header_only(9000, 10)) == "too_large"
    assert _code(_png_header_only(10, 9000)) == "too_large"


def test_max_bytes_is_enforced() -> None:
    data = _encode(_photo((64, 64)), "PNG")
    assert _code(data, max_bytes=len(data) - 1) == "too_large"


def test_warning_filters_are_restored() -> None:
    before = list(warnings.filters)
    with pytest.raises(InvalidImage):
        sanitize_image(_png_header_only(7000, 7000))
    sanitize_image(_encode(_photo((32, 32)), "PNG"))
    assert warnings.filters == before


def test_truncated_jpeg_is_corrupt() -> None:
    data = _encode(_photo((400, 300)), "JPEG", quality=95)
    assert _code(data[: len(data) // 2]) == "corrupt_image"


def test_truncated_png_is_corrupt() -> None:
    data = _encode(_photo((400, 300)), "PNG")
    assert _code(data[: len(data) // 2]) == "corrupt_image"


def test_truncated_webp_is_corrupt() -> None:
    data = _encode(_photo((400, 300)), "WEBP")
    assert _code(data[: len(data) // 2]) == "corrupt_image"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\xff\xd8\xff" + b"garbage" * 10, id="jpeg-magic-garbage"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, id="png-magic-garbage"),
        pytest.param(b"RIFF\x10\x00\x00\x00WEBPVP8 garbage", id="webp-magic-garbage"),
        pytest.param(_png_header_only(0, 10), id="png-zero-width"),
    ],
)
def test_allowed_magic_with_invalid_body_is_corrupt(data: bytes) -> None:
    assert _code(data) == "corrupt_image"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_fuzzed_inputs_never_leak_pillow_exceptions(fmt: str) -> None:
    original = _encode(_photo((48, 32)), fmt)
    rng = random.Random(fmt)
    codes: set[str] = set()
    for _ in range(150):
        data = bytearray(original)
        for _ in range(rng.randint(1, 8)):
            # Keep the 12-byte magic intact so the decoders get exercised.
            data[rng.randrange(12, len(data))] = rng.randrange(256)
        if rng.random() < 0.3:
            del data[rng.randrange(12, len(data)) :]
        try:
            _assert_clean_jpeg(sanitize_image(bytes(data)))
        except InvalidImage as exc:  # any other exception fails the test
            codes.add(exc.code)
    assert codes <= {"corrupt_image", "too_many_pixels", "too_large"}


def test_invalid_image_carries_code_and_message() -> None:
    with pytest.raises(InvalidImage) as excinfo:
        sanitize_image(b"GIF89a")
    assert excinfo.value.code == "unsupported_type"
    assert excinfo.value.message
    assert isinstance(excinfo.value, ValueError)


# --------------------------------------------------------------------------
# Optional HEIF support (pillow-heif)
# --------------------------------------------------------------------------


@pytest.mark.skipif(not heif_available(), reason="pillow-heif not installed")
def test_heic_is_only_accepted_when_allowed_and_not_registered_globally() -> None:
    import pillow_heif

    heif = pillow_heif.from_pillow(_photo((320, 240)))
    buf = io.BytesIO()
    heif.save(buf, quality=80)
    data = buf.getvalue()

    assert _code(data) == "unsupported_type"
    img = _assert_clean_jpeg(sanitize_image(data, allow_heif=True))
    assert img.size == (320, 240)
    # The plugin was used directly, never registered with Pillow.
    assert "HEIF" not in Image.OPEN
    truncated = data[: len(data) // 2]
    assert _code(truncated, allow_heif=True) == "corrupt_image"
