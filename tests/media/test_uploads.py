"""Uploads through the library: accepted by content, refused with a message, cleaned, named safely."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from broadsheet.media.models import MediaItem
from broadsheet.media.uploads import UploadRefused, accept_upload
from tests.media import samples
from tests.media.conftest import stored_files

pytestmark = pytest.mark.django_db


def _upload(client, user, *files):
    client.force_login(user)
    return client.post("/desk/media/upload/", {"files": [SimpleUploadedFile(name, data) for name, data in files]})


def _errors(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    "name,data,mime_type,extension",
    [
        ("photo.jpg", samples.image_bytes("JPEG"), "image/jpeg", "jpg"),
        ("drawing.png", samples.image_bytes("PNG", mode="RGBA", color=(0, 0, 0, 0)), "image/png", "png"),
        ("still.gif", samples.image_bytes("GIF", mode="P", color=3), "image/gif", "gif"),
        ("modern.webp", samples.image_bytes("WEBP"), "image/webp", "webp"),
        ("report.pdf", samples.PDF, "application/pdf", "pdf"),
        ("song.mp3", samples.MP3, "audio/mpeg", "mp3"),
        ("untagged.mp3", samples.MP3_NO_TAG, "audio/mpeg", "mp3"),
        ("voice.ogg", samples.OGG, "audio/ogg", "ogg"),
        ("talk.m4a", samples.M4A, "audio/mp4", "m4a"),
        ("clip.mp4", samples.MP4, "video/mp4", "mp4"),
        ("clip.webm", samples.WEBM, "video/webm", "webm"),
    ],
)
def test_each_allowed_type_is_accepted(client, users, media_root, name, data, mime_type, extension):
    response = _upload(client, users["author"], (name, data))
    assert response.status_code == 302, _errors(response)
    item = MediaItem.objects.get()
    assert item.mime_type == mime_type
    assert item.file.name.endswith("/" + name.rsplit(".", 1)[0] + "." + extension)
    assert item.uploaded_by == users["author"]
    assert item.original_name == name
    assert item.file_size == (media_root / item.file.name).stat().st_size
    assert (media_root / item.file.name).exists()
    if not mime_type.startswith("image/"):
        assert (media_root / item.file.name).read_bytes() == data  # stored as uploaded


def test_type_comes_from_content_not_name(client, users, media_root):
    """A PNG named .jpg is stored as .png; a declared content type is ignored."""
    client.force_login(users["author"])
    upload = SimpleUploadedFile("picture.jpg", samples.image_bytes("PNG"), content_type="application/x-php")
    response = client.post("/desk/media/upload/", {"files": [upload]})
    assert response.status_code == 302
    item = MediaItem.objects.get()
    assert item.mime_type == "image/png" and item.file.name.endswith("/picture.png")


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("logo.svg", samples.SVG, "SVG images are not accepted"),
        ("logo.png", samples.SVG, "SVG images are not accepted"),
        ("page.jpg", samples.HTML, "This file is HTML, XML or a script"),
        ("x.php.jpg", samples.PHP, "This file is HTML, XML or a script"),
        ("movie.mkv", samples.MKV, "not a type the library accepts"),
        ("movie.mov", samples.QUICKTIME, "not a type the library accepts"),
        ("archive.zip", b"PK\x03\x04" + b"\x00" * 100, "not a type the library accepts"),
        ("program.exe", b"MZ\x90\x00" + b"\x00" * 100, "not a type the library accepts"),
        ("broken.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100, "cannot be read as one"),
        ("empty.jpg", b"", "the file is empty"),
    ],
)
def test_refused_types_have_a_message_and_store_nothing(client, users, media_root, name, data, message):
    response = _upload(client, users["editor"], (name, data))
    assert response.status_code == 400
    html = _errors(response)
    assert message in html
    assert MediaItem.objects.count() == 0
    assert stored_files(media_root) == []


def test_decompression_bomb_is_refused_with_a_message(client, users, media_root):
    bomb = samples.decompression_bomb()
    assert len(bomb) < 100_000  # small on disk ...
    with pytest.warns(Image.DecompressionBombWarning):  # Pillow's own guard (limit set by the media app) notices
        assert Image.open(io.BytesIO(bomb)).size == (10_000, 10_000)  # ... 100 million pixels when opened
    response = _upload(client, users["author"], ("innocent.png", bomb))
    assert response.status_code == 400
    assert "10000×10000 pixels; the limit is 64 million pixels" in _errors(response)
    assert "decompression bomb" in _errors(response)
    assert MediaItem.objects.count() == 0 and stored_files(media_root) == []


def test_animation_frames_count_towards_the_pixel_limit(client, users, media_root, settings):
    settings.MEDIA_MAX_IMAGE_PIXELS = 400 * 300 * 5  # five frames' worth
    response = _upload(client, users["author"], ("long.gif", samples.animated_gif(frames=6)))
    assert response.status_code == 400
    assert "× 6 frames" in _errors(response)
    assert stored_files(media_root) == []
    response = _upload(client, users["author"], ("short.gif", samples.animated_gif(frames=5)))
    assert response.status_code == 302


def test_oversize_file_is_refused_with_the_limit(client, users, media_root, settings):
    settings.MEDIA_MAX_UPLOAD_BYTES = 20 * 1024
    big = samples.noisy_jpeg()
    assert len(big) > 20 * 1024
    response = _upload(client, users["author"], ("huge.jpg", big), ("small.pdf", samples.PDF))
    assert response.status_code == 400
    assert "huge.jpg: the file is larger than the upload limit of 0.0195312 MB" in _errors(response)
    assert MediaItem.objects.get().mime_type == "application/pdf"  # the other file of the batch is kept
    assert stored_files(media_root) == [MediaItem.objects.get().file.name]


def test_oversize_file_is_cut_off_while_streaming(rf, settings):
    """The handler stops taking chunks past the limit, so a huge file is never kept whole."""
    from django.core.files.uploadhandler import SkipFile

    from broadsheet.media.uploads import SizeLimitUploadHandler

    settings.MEDIA_MAX_UPLOAD_BYTES = 100
    request = rf.post("/")
    handler = SizeLimitUploadHandler(request)
    handler.new_file("files", "big.bin", "application/octet-stream", 1000)
    assert handler.receive_data_chunk(b"x" * 60, 0) == b"x" * 60
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"x" * 60, 60)
    assert request.oversize_uploads == ["big.bin"]


def test_several_files_in_one_upload(client, users):
    response = _upload(
        client, users["author"], ("one.jpg", samples.image_bytes()), ("two.png", samples.image_bytes("PNG")), ("three.pdf", samples.PDF)
    )
    assert response.status_code == 302
    assert MediaItem.objects.count() == 3
    page = client.get("/desk/media/").content.decode()
    assert "Uploaded one.jpg" in page and "Uploaded three.pdf" in page


def test_upload_without_files_says_so(client, users):
    client.force_login(users["author"])
    response = client.post("/desk/media/upload/", {})
    assert response.status_code == 400
    assert "Choose one or more files" in response.content.decode()


def test_exif_gps_and_comments_are_stripped(client, users, media_root):
    original = samples.jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test file really has GPS
    assert b"SerialNumber" in original or b"SERIAL-123456" in original
    _upload(client, users["author"], ("holiday.jpg", original))
    item = MediaItem.objects.get()
    for name in item.stored_names():
        stored = (media_root / name).read_bytes()
        assert b"Exif" not in stored and b"SERIAL-123456" not in stored and b"SecretCam" not in stored
        assert b"SECRET-COMMENT" not in stored
        image = Image.open(io.BytesIO(stored))
        assert not image.getexif() and "exif" not in image.info and "comment" not in image.info


def test_exif_orientation_is_applied_before_stripping(client, users):
    """A phone photo stored sideways with "rotate 90°" in EXIF is stored upright."""
    _upload(client, users["author"], ("phone.jpg", samples.jpeg_with_gps(size=(640, 480), orientation=6)))
    item = MediaItem.objects.get()
    assert (item.width, item.height) == (480, 640)
    assert Image.open(item.file.path).size == (480, 640)


def test_polyglot_jpeg_loses_its_payload(client, users, media_root):
    payload = b"<html><script>alert(document.domain)</script></html>"
    polyglot = samples.image_bytes("JPEG", size=(200, 100)) + payload
    response = _upload(client, users["author"], ("poly.jpg", polyglot))
    assert response.status_code == 302
    item = MediaItem.objects.get()
    stored = (media_root / item.file.name).read_bytes()
    assert payload not in stored and b"<script" not in stored
    assert stored.endswith(b"\xff\xd9")  # nothing after the JPEG's end marker
    assert Image.open(io.BytesIO(stored)).size == (200, 100)


def test_png_text_chunks_are_stripped(client, users, media_root):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    data = samples.image_bytes("PNG", size=(50, 50), pnginfo=info)
    assert b"<script>" in data
    _upload(client, users["author"], ("chunks.png", data))
    assert b"<script>" not in (media_root / MediaItem.objects.get().file.name).read_bytes()


def test_animated_gif_stays_animated_with_a_still_thumbnail(client, users, media_root):
    _upload(client, users["author"], ("dance.gif", samples.animated_gif(frames=3)))
    item = MediaItem.objects.get()
    assert Image.open(item.file.path).n_frames == 3
    assert set(item.sizes) == {"thumbnail"}  # no medium/large stills to replace the animation in content
    assert getattr(Image.open(media_root / item.sizes["thumbnail"]["file"]), "n_frames", 1) == 1


@pytest.mark.parametrize(
    "uploaded,stored",
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("..\\..\\windows\\evil.jpg", "evil.jpg"),
        ("x.php.jpg", "x-php.jpg"),
        ("shell.php", "shell.jpg"),
        ("Mon Été à Paris.JPG", "mon-ete-a-paris.jpg"),
        ("日本語.jpg", "file.jpg"),
        (".htaccess", "htaccess.jpg"),
        ("photo-300x200.jpg", "photo-300-200.jpg"),
        (samples.HOSTILE + ".jpg", "img-srcx-onerroralert1.jpg"),
    ],
)
def test_file_names_are_sanitised(client, users, uploaded, stored):
    response = _upload(client, users["author"], (uploaded, samples.image_bytes(size=(20, 20))))
    assert response.status_code == 302
    name = MediaItem.objects.get().file.name
    folder, base = name.rsplit("/", 1)
    assert base == stored
    assert len(folder) == 7 and folder[4] == "/"  # YYYY/MM


def test_names_are_unique_with_wordpress_suffixes(users, media_root):
    names = [
        accept_upload(SimpleUploadedFile("same.jpg", samples.image_bytes(size=(20, 20))), user=users["author"]).file.name
        for _ in range(3)
    ]
    assert [name.rsplit("/", 1)[1] for name in names] == ["same.jpg", "same-2.jpg", "same-3.jpg"]


def test_name_recorded_by_an_item_without_its_file_is_not_reused(users, media_root):
    first = accept_upload(SimpleUploadedFile("gone.jpg", samples.image_bytes(size=(20, 20))), user=None)
    (media_root / first.file.name).unlink()
    second = accept_upload(SimpleUploadedFile("gone.jpg", samples.image_bytes(size=(20, 20))), user=None)
    assert second.file.name != first.file.name


def test_refusal_is_an_exception_with_the_message(db):
    with pytest.raises(UploadRefused, match="SVG images are not accepted"):
        accept_upload(SimpleUploadedFile("a.svg", samples.SVG), user=None)


def test_colour_profile_is_converted_and_dropped(client, users, media_root):
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = samples.image_bytes("JPEG", size=(60, 40), icc_profile=profile)
    assert Image.open(io.BytesIO(data)).info.get("icc_profile")
    _upload(client, users["author"], ("profiled.jpg", data))
    stored = Image.open(MediaItem.objects.get().file.path)
    assert "icc_profile" not in stored.info
    assert stored.getpixel((5, 5)) == pytest.approx((200, 40, 40), abs=3)


def test_lossless_webp_stays_lossless(client, users, media_root):
    data = samples.image_bytes("WEBP", size=(64, 64), color=(1, 2, 3), lossless=True)
    _upload(client, users["author"], ("exact.webp", data))
    stored = (media_root / MediaItem.objects.get().file.name).read_bytes()
    assert stored[12:16] == b"VP8L"
    assert Image.open(io.BytesIO(stored)).getpixel((10, 10)) == (1, 2, 3)


@pytest.mark.parametrize("fmt,name", [("WEBP", "moving.webp"), ("PNG", "moving.png")])
def test_animated_webp_and_png_stay_animated(client, users, fmt, name):
    frames = [Image.new("RGB", (300, 200), color) for color in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format=fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    _upload(client, users["author"], (name, buffer.getvalue()))
    item = MediaItem.objects.get()
    assert Image.open(item.file.path).n_frames == 3 and set(item.sizes) == {"thumbnail"}


def test_too_many_files_in_one_request_is_400(client, users, media_root, settings):
    client.force_login(users["author"])
    files = [SimpleUploadedFile(f"f{n}.pdf", samples.PDF) for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)]
    response = client.post("/desk/media/upload/", {"files": files})
    assert response.status_code == 400
    assert MediaItem.objects.count() == 0 and stored_files(media_root) == []
