"""Fixtures of the verification tests: generated photos and ready-made submissions."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, ImageDraw

from conftest import sign_in
from sorority.accounts.models import User
from sorority.accounts.tests.factories import UserFactory


def photo(
    marker: bytes = b"",
    *,
    size: tuple[int, int] = (320, 240),
    fmt: str = "JPEG",
    seed: int = 0,
) -> bytes:
    """A drawn picture (no real person); `marker` is hidden in a comment and a trailer."""
    image = Image.new("RGB", size, ((seed * 37) % 256, 120, 200))
    draw = ImageDraw.Draw(image)
    draw.ellipse((size[0] // 4, size[1] // 6, 3 * size[0] // 4, 5 * size[1] // 6), fill=(230, 190, 160))
    draw.text((10, 10), f"#{seed}", fill=(0, 0, 0))
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=80, comment=marker or b"photo")
    else:
        image.save(out, fmt)
    return out.getvalue() + marker


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{name}.jpg", data, content_type=content_type)


def form_data(challenge_id: str | None, *, marker: bytes = b"", selfies: int = 3, back: bool = True) -> dict:
    data: dict = {"declaration": "true"}
    if challenge_id is not None:
        data["challenge_id"] = challenge_id
    data["selfie"] = [upload(f"s{i}", photo(marker, seed=i)) for i in range(selfies)]
    data["id_front"] = upload("front", photo(marker, seed=10))
    if back:
        data["id_back"] = upload("back", photo(marker, seed=11))
    return data


@pytest.fixture
def new_applicant(db) -> User:
    return UserFactory(status=User.Status.APPLICANT)


@pytest.fixture
def applicant_web(new_applicant) -> Client:
    """A signed-in applicant on her own client (other fixtures use `client`)."""
    return sign_in(Client(), new_applicant)


def submit_via_api(client, *, marker: bytes = b"", **kwargs: object):
    """Draw a challenge and submit a full set of photos; returns the response."""
    response = client.post("/api/v1/verification/challenge")
    assert response.status_code == 201, response.content
    return client.post(
        "/api/v1/verification/submission",
        form_data(response.json()["id"], marker=marker, **kwargs),
    )
