"""Folders of images, one sub-folder per class, written as tiny PNGs with Pillow."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from netdesigner.core.errors import DataError
from netdesigner.data.registry import load_dataset


def _folder(tmp_path, classes=("cat", "dog", "eel"), per_class=4, size=(6, 10)):
    root = tmp_path / "pets"
    for k, name in enumerate(classes):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            value = 40 * k + i
            pixels = np.full((size[0], size[1], 3), value, dtype=np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    return root


def test_images_become_class_labelled_tensors_in_0_1(tmp_path):
    root = _folder(tmp_path)
    (root / "cat" / "notes.txt").write_text("not an image")
    (root / ".hidden").mkdir()
    splits = load_dataset("image_folder", {"path": str(root), "size": [4, 5]}, validation_fraction=0.25, test_fraction=0.25)
    info = splits.info
    assert info.class_names == ("cat", "dog", "eel") and info.num_classes == 3
    assert info.input_shape == (3, 4, 5) and splits.train.x.shape[1:] == (3, 4, 5)
    assert len(splits.train) + len(splits.val) + len(splits.test) == 12
    for split in (splits.train, splits.val, splits.test):
        for x, y in zip(split.x, split.y, strict=True):
            assert torch.allclose(x, torch.full_like(x, 0.0) + x[0, 0, 0])  # resizing a flat image keeps it flat
            assert int(x[0, 0, 0] * 255 + 0.5) // 40 == int(y)


def test_grayscale_gives_one_channel(tmp_path):
    splits = load_dataset("image_folder", {"path": str(_folder(tmp_path)), "grayscale": True, "size": [8, 8]})
    assert splits.info.input_shape == (1, 8, 8) and splits.train.x.shape[1:] == (1, 8, 8)


def _error(path, **options):
    with pytest.raises(DataError) as caught:
        load_dataset("image_folder", {"path": str(path), **options})
    return str(caught.value)


def test_a_corrupt_image_is_named(tmp_path):
    root = _folder(tmp_path)
    bad = root / "dog" / "2.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nthis is not really a png")
    message = _error(root)
    assert message.startswith(f"{bad}: cannot be read as an image")


def test_a_folder_without_class_folders(tmp_path):
    (tmp_path / "a.png").write_bytes(b"")
    assert "has no class sub-folders" in _error(tmp_path)


def test_one_class_is_not_enough(tmp_path):
    root = _folder(tmp_path, classes=("cat",))
    assert "only one class sub-folder ('cat')" in _error(root)


def test_a_class_folder_without_images(tmp_path):
    root = _folder(tmp_path)
    (root / "fox").mkdir()
    assert f"{root / 'fox'}: the class folder holds no images" in _error(root)


def test_a_missing_folder_and_a_file_given_as_folder(tmp_path):
    assert f"{tmp_path / 'nowhere'}: no such folder" in _error(tmp_path / "nowhere")
    file = tmp_path / "x.png"
    file.write_bytes(b"")
    assert "is a file" in _error(file)
