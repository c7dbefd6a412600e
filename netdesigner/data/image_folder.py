"""Images from a folder with one sub-folder per class (``pets/cat/1.png``, ``pets/dog/7.jpg``…).

The layout torchvision's ``ImageFolder`` and most tutorials use. Classes are the sub-folder
names in sorted order; every image is converted to RGB or grey, resized to ``size`` (height,
width) and scaled to [0, 1], giving inputs of shape (3 or 1, height, width). Files whose
ending is not an image type are skipped (notes, ``.DS_Store``); a file that is named as an
image but will not open is an error naming it, rather than a silently smaller data set.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from netdesigner.core.errors import DataError
from netdesigner.core.params import Bool, IntTuple
from netdesigner.data.paths import existing_folder
from netdesigner.data.registry import DatasetSpec, TextOption
from netdesigner.data.samples import Samples
from netdesigner.data.splits import DataInfo, Task

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
MAX_BYTES = 8 * 1024**3  # the decoded set must fit in memory (and on the GPU, PERFORMANCE.md)
# The largest image read, checked from its header before decoding. A 69-byte PNG can declare
# 1 × 36,000,000 pixels, and Pillow spends over a second on its rows; a 48-megapixel photo
# (8000 × 6000) is the largest a person is likely to drop in, and takes about half a second.
MAX_PIXELS = 50_000_000
MAX_SIDE = 20_000


def class_folders(root: Path) -> list[tuple[str, list[Path]]]:
    """(class name, its image files) per sub-folder, sorted; ``DataError`` if that is not a class layout."""
    try:
        folders = sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    except OSError as e:
        raise DataError(f"{root}: cannot list the folder: {e.strerror or e}") from None
    if not folders:
        raise DataError(f"{root}: has no class sub-folders; put the images of each class in a sub-folder named for the class")
    if len(folders) < 2:
        raise DataError(f"{root}: has only one class sub-folder ({folders[0].name!r}); a classifier needs at least two")
    found = []
    for folder in folders:
        files = sorted(f for f in folder.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES and not f.name.startswith(".") and f.is_file())
        if not files:
            raise DataError(f"{folder}: the class folder holds no images ({', '.join(IMAGE_SUFFIXES)})")
        found.append((folder.name, files))
    return found


def load_image_folder(o: dict[str, Any]) -> Samples:
    import numpy as np

    root = existing_folder(o["path"], "image folder")
    classes = class_folders(root)
    height, width = o["size"]
    channels = 1 if o["grayscale"] else 3
    count = sum(len(files) for _, files in classes)
    if count * channels * height * width * 4 > MAX_BYTES:
        raise DataError(
            f"{root}: {count} images of {channels}×{height}×{width} would take more than "
            f"{MAX_BYTES // 1024**3} GiB; choose a smaller size"
        )
    x = np.empty((count, channels, height, width), dtype=np.float32)
    y = np.empty(count, dtype=np.int64)
    i = 0
    for label, (_, files) in enumerate(classes):
        for file in files:
            x[i] = read_image(file, (height, width), o["grayscale"])
            y[i] = label
            i += 1
    names = tuple(name for name, _ in classes)
    info = DataInfo(
        "image_folder", Task.CLASSIFICATION, input_shape=(channels, height, width), num_classes=len(names),
        class_names=names,
        description=f"{root.name}: {count} images in {len(names)} classes, {'grey' if channels == 1 else 'RGB'} {height}×{width}",
    )
    return Samples(x, y, info, extra={"source": str(root)})


def read_image(file: Path, size: tuple[int, int], grayscale: bool) -> Any:
    """One image as float32 (channels, height, width) in [0, 1]; ``DataError`` naming the file."""
    import numpy as np
    from PIL import Image

    try:
        with Image.open(file) as image:
            _check_size(file, image.size)
            image = image.convert("L" if grayscale else "RGB").resize((size[1], size[0]), Image.Resampling.BILINEAR)
            pixels = np.asarray(image, dtype=np.float32) / 255.0
    except DataError:
        raise
    # Pillow reports a damaged file with many types (OSError, SyntaxError, ValueError,
    # DecompressionBombError…); each means the same thing to the person: this file.
    except Exception as e:  # noqa: BLE001
        raise DataError(f"{file}: cannot be read as an image ({str(e) or type(e).__name__})") from None
    return pixels[None] if grayscale else pixels.transpose(2, 0, 1)


def _check_size(file: Path, size: tuple[int, int]) -> None:
    width, height = size
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise DataError(f"{file}: is {width}×{height} pixels, larger than NetDesigner reads "
                        f"({MAX_PIXELS // 1_000_000} million pixels, {MAX_SIDE} on a side); shrink it first")


DATASETS = (
    DatasetSpec(
        "image_folder", "Image folder", "Images sorted into one sub-folder per class, resized to one size.", "file",
        (TextOption("path", "", "the folder holding one sub-folder of images per class", browse="folder", required=True),
         IntTuple("size", (32, 32), "height and width every image is resized to", length=2, min=1, max=1024),
         Bool("grayscale", False, "convert to one grey channel instead of three (RGB)")),
        load_image_folder,
    ),
)
