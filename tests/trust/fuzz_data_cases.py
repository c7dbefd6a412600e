"""Fuzzed data files: CSV tables, ``.npz`` archives and image folders.

Each is loaded the one way the window, the CLI and the trainer load it
(``data.registry.load_dataset``), with options a person could set. A loaded data set is valid
when it split into three parts whose inputs and targets are finite numbers of the shapes its
``DataInfo`` promises. An ``.npz`` holding an object array must be refused without being
unpickled: the pickles here would write a file if they ever ran, which the harness's
"nothing written" check catches.
"""

from __future__ import annotations

import io
import json
import pickle
import random
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

from fuzz_harness import BYTE_MUTATIONS, FuzzFormat, nasty_text, random_bytes

from netdesigner.core.errors import DataError


def check_splits(splits: Any) -> None:
    """Three parts of finite numbers, shaped as the data set's ``DataInfo`` says."""
    import torch

    info = splits.info
    for name in ("train", "val", "test"):
        part = getattr(splits, name)
        if len(part.x) != len(part.y):
            raise AssertionError(f"{name}: {len(part.x)} inputs but {len(part.y)} targets")
        if tuple(part.x.shape[1:]) != tuple(info.input_shape):
            raise AssertionError(f"{name}: inputs of shape {tuple(part.x.shape[1:])}, info says {info.input_shape}")
        for tensor in (part.x, part.y):
            if tensor.is_floating_point() and not torch.isfinite(tensor).all():
                raise AssertionError(f"{name}: holds NaN or infinity")
    if len(splits.train) < 1:
        raise AssertionError("nothing to train on")


class _DataFormat(FuzzFormat):
    error = DataError
    dataset = ""

    def options(self, target: Any, rng: random.Random) -> dict[str, Any]:
        return {"path": str(target)}

    def write_case(self, folder: Path, rng: random.Random, mutation: str) -> Any:
        target = self.write_input(folder, rng, mutation)
        return self.options(target, rng)

    def write_input(self, folder: Path, rng: random.Random, mutation: str) -> Path:
        raise NotImplementedError

    def warm_up(self, seeds: Path) -> None:
        """Loads one unharmed seed, so the first timed load does not pay for importing torch."""
        self.load(self.options(self.write_input(seeds, random.Random(0), "none"), random.Random(0)))

    def load(self, target: Any) -> Any:
        from netdesigner.data.registry import load_dataset

        splits = load_dataset(self.dataset, target)
        check_splits(splits)
        return splits


# ---- CSV ----------------------------------------------------------------------------------------
def _csv_seeds() -> list[bytes]:
    rng = random.Random(7)
    rows = [["sepal", "petal", "width", "height", "label"]]
    rows += [[f"{rng.gauss(5, 1):.3f}", f"{rng.gauss(3, 1):.3f}", str(rng.randint(0, 9)), f"{rng.random():.2e}",
              str(rng.randint(0, 2))] for _ in range(40)]
    numeric = "\n".join(",".join(r) for r in rows) + "\n"
    colours = "colour,size,weight,kind\n" + "".join(
        f"{rng.choice(['red', 'green', 'blue'])},{rng.randint(1, 5)},{rng.gauss(70, 9):.1f},{rng.choice(['yes', 'no'])}\n"
        for _ in range(40))
    regression = "x;y;z;target\r\n" + "".join(
        f"{rng.random():.4f};{rng.random():.4f};{rng.randint(-5, 5)};{rng.gauss(0, 100):.6f}\r\n" for _ in range(40))
    quoted = '"name, first",score\tgroup\n'.replace("\t", ",") + "".join(
        f'"{rng.choice(["a, b", "c"])}",{rng.random():.3f},{rng.choice(["x", "y"])}\n' for _ in range(30))
    tabbed = "a\tb\tc\n" + "".join(f"{rng.random():.3f}\t{rng.random():.3f}\t{rng.random():.3f}\n" for _ in range(30))
    return [numeric.encode(), colours.encode("utf-8-sig"), regression.encode(), quoted.encode("cp1252"),
            ("café,ü,label\n" + "".join(f"{i},{i * 2},{'é' if i % 2 else 'ß'}\n" for i in range(30))).encode("cp1252"),
            tabbed.encode()]


NASTY_CELLS = ["", " ", "nan", "NaN", "inf", "-inf", "1e999", "-1e999", "1e39", "-3.5e38", "1e-400", "0x10", "١٢",
               "1_000", "𝟙", "½", '"', '"unclosed', 'a""b', "\x00", "\r", "\n", "x" * 200_000, "None", "True",
               "-0", "+1", "1,5", "3;4", "\t", "€", "\ufeff1"]


def _cells(text: str) -> tuple[list[list[str]], str]:
    sep = max((",", ";", "\t"), key=text.splitlines()[0].count)
    return [line.split(sep) for line in text.splitlines()], sep


class CsvFiles(_DataFormat):
    name = "csv"
    dataset = "csv"
    mutations = (*BYTE_MUTATIONS, "cell", "row length", "header", "quote", "blank lines", "many columns",
                 "long cell", "nul byte", "encoding", "delimiter", "line endings", "few rows", "huge numbers",
                 "several")

    def prepare(self, seeds: Path) -> None:
        self.seeds = _csv_seeds()
        self.warm_up(seeds)

    def options(self, target: Any, rng: random.Random) -> dict[str, Any]:
        options: dict[str, Any] = {"path": str(target)}
        if rng.random() < 0.3:
            options["task"] = rng.choice(["auto", "classification", "regression"])
        if rng.random() < 0.2:
            options["delimiter"] = rng.choice(["auto", "comma", "semicolon", "tab"])
        if rng.random() < 0.2:
            options["target"] = rng.choice(["label", "colour", "ghost", "a", "sepal", "column 2", "é", nasty_text(rng)[:50]])
        return options

    def write_input(self, folder: Path, rng: random.Random, mutation: str) -> Path:
        data = rng.choice(self.seeds)
        names = [mutation] if mutation != "several" else rng.choices(self.mutations[:-1], k=rng.randint(2, 4))
        for name in names:
            data = self._mutate(data, rng, name)
        path = folder / rng.choice(["data.csv", "data.tsv", "data.txt"])
        path.write_bytes(data)
        return path

    def _mutate(self, data: bytes, rng: random.Random, mutation: str) -> bytes:
        if mutation in BYTE_MUTATIONS:
            return BYTE_MUTATIONS[mutation](data, rng)
        if mutation == "nul byte":
            i = rng.randrange(len(data) + 1) if rng.random() < 0.5 else len(data)
            return data[:i] + b"\x00" + data[i:]
        if mutation == "encoding":
            text = data.decode("utf-8", "replace")
            return rng.choice([text.encode("utf-16"), text.encode("utf-32"), b"\xef\xbb\xbf" + data,
                               text.encode("latin-1", "replace"), b"\xff\xfe" + data])
        text = data.decode("cp1252", "replace") if not data.startswith(b"\xef\xbb\xbf") else data[3:].decode("utf-8", "replace")
        if not text.strip():
            return data
        rows, sep = _cells(text)
        r = rng.randrange(len(rows))
        if mutation == "cell":
            row = rows[r]
            row[rng.randrange(len(row))] = rng.choice(NASTY_CELLS)
        elif mutation == "huge numbers":
            for _ in range(rng.randint(1, 5)):
                row = rows[rng.randrange(1, len(rows))] if len(rows) > 1 else rows[0]
                row[rng.randrange(len(row))] = rng.choice(["1e308", "-1e308", "3.5e38", "1e39", "1e300", "5e-324", "1e-45"])
        elif mutation == "row length":
            row = rows[r]
            if rng.random() < 0.5 or len(row) < 2:
                row.append(rng.choice(["1", "", "x"]))
            else:
                row.pop(rng.randrange(len(row)))
        elif mutation == "header":
            header = rows[0]
            k = rng.randrange(len(header))
            choice = rng.randrange(4)
            if choice == 0:
                header[k] = header[(k + 1) % len(header)]
            elif choice == 1:
                header[k] = ""
            elif choice == 2:
                header[k] = nasty_text(rng)[:1000]
            else:
                rows.pop(0)
        elif mutation == "quote":
            flat = sep.join(rows[r])
            i = rng.randrange(len(flat) + 1)
            rows[r] = [flat[:i] + '"' + flat[i:]]
        elif mutation == "blank lines":
            for _ in range(rng.randint(1, 5)):
                rows.insert(rng.randrange(len(rows) + 1), [rng.choice(["", " ", sep * 3])])
        elif mutation == "many columns":
            extra = rng.choice([100, 2000])
            rows = [row + [str(j) if i else f"extra{j}" for j in range(extra)] for i, row in enumerate(rows)]
        elif mutation == "long cell":
            rows[r][0] = "1" * rng.choice([100_000, 200_000, 1 << 20])
        elif mutation == "delimiter":
            other = rng.choice([",", ";", "\t", "|", " "])
            rows[r] = [other.join(rows[r])]
        elif mutation == "few rows":
            rows = rows[:rng.randint(0, 3)]
        ending = rng.choice(["\n", "\r\n"]) if mutation != "line endings" else rng.choice(["\r", "\n\n", "\u2028", "\x0b"])
        return ending.join(sep.join(row) for row in rows).encode(rng.choice(["utf-8", "utf-8"]), "surrogatepass")


# ---- npz ----------------------------------------------------------------------------------------
class _Touch:
    """Unpickling this writes a file: the proof that NetDesigner unpickled, should it ever."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple:
        return (Path.touch, (Path(self.path),))


def _npy(array: Any) -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def _npy_with_header(header: str, body: bytes) -> bytes:
    """A version 1.0 ``.npy`` with ``header`` as its dictionary, padded as NumPy pads it."""
    text = header + " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin-1") + body


def _zip(members: dict[str, bytes], rng: random.Random) -> bytes:
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if rng.random() < 0.5 else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


class NpzFiles(_DataFormat):
    name = "npz"
    dataset = "npz"
    mutations = (*BYTE_MUTATIONS, "dtype", "shape", "values", "keys", "pickle", "npy header", "zero-size giant",
                 "not an archive", "zip members")

    def prepare(self, seeds: Path) -> None:
        import numpy as np

        rng = np.random.default_rng(3)
        self.seeds = [
            {"X": rng.normal(size=(30, 4)).astype(np.float32), "y": rng.integers(0, 3, 30)},
            {"X": rng.normal(size=(30, 2, 3)), "y": rng.normal(size=30)},
            {"X": rng.integers(0, 50, (30, 5)), "y": np.array(["cat", "dog", "emu"] * 10)},
            {"x": rng.integers(0, 255, (30, 1, 4, 4), dtype=np.uint8), "Y": rng.integers(0, 2, 30).astype(bool)},
        ]
        self.warm_up(seeds)

    def options(self, target: Any, rng: random.Random) -> dict[str, Any]:
        options: dict[str, Any] = {"path": str(target)}
        if rng.random() < 0.3:
            options["input"] = rng.choice(["float32", "int64"])
        if rng.random() < 0.3:
            options["task"] = rng.choice(["auto", "classification", "regression"])
        if rng.random() < 0.3:
            options["standardise"] = rng.random() < 0.5
        return options

    def write_input(self, folder: Path, rng: random.Random, mutation: str) -> Path:
        arrays = {k: v.copy() for k, v in rng.choice(self.seeds).items()}
        path = folder / "data.npz"
        if mutation in BYTE_MUTATIONS:
            members = {f"{k}.npy": _npy(v) for k, v in arrays.items()}
            path.write_bytes(BYTE_MUTATIONS[mutation](_zip(members, rng), rng))
            return path
        members = self._members(folder, arrays, rng, mutation)
        if mutation == "not an archive":
            path.write_bytes(members.pop("__file__"))
        else:
            path.write_bytes(_zip(members, rng))
        return path

    def _members(self, folder: Path, arrays: dict[str, Any], rng: random.Random, mutation: str) -> dict[str, bytes]:
        import numpy as np

        key = rng.choice(list(arrays))
        raw: dict[str, bytes] = {}
        if mutation == "dtype":
            arrays[key] = self._retyped(arrays[key], rng)
        elif mutation == "shape":
            a = arrays[key]
            arrays[key] = rng.choice([
                lambda: np.array(1.5), lambda: a.reshape(-1), lambda: a[:0], lambda: np.zeros((len(a), 0)),
                lambda: a[:-1], lambda: np.zeros((len(a),) + (1,) * 30), lambda: np.zeros((len(a), 2)),
                lambda: np.zeros((len(a), 1)), lambda: np.zeros((1,)), lambda: np.zeros((len(a), 3, 0, 2)),
            ])()
        elif mutation == "values":
            key = rng.choice([k for k, v in arrays.items() if v.dtype.kind in "biuf"])
            a = arrays[key].astype(np.float64)
            a.reshape(-1)[rng.randrange(a.size)] = rng.choice([np.nan, np.inf, -np.inf, 1e300, -1e39, 3.5e38, 5e-324])
            arrays[key] = a
        elif mutation == "keys":
            choice = rng.randrange(4)
            if choice == 0:
                del arrays[key]
            elif choice == 1:
                arrays[rng.choice(["X", "x", "y", "Y", "extra", "X.npy", "../X", "é"])] = arrays[key]
            elif choice == 2:
                arrays = {rng.choice(["data", "labels", "arr_0"]): v for v in arrays.values()}
            else:
                arrays.clear()
        elif mutation == "pickle":
            marker = str(folder / "unpickled")
            objects = np.empty(len(arrays[key]), dtype=object)
            objects[:] = [_Touch(marker) for _ in range(len(objects))]
            arrays[key] = objects
        elif mutation == "npy header":
            raw[f"{key}.npy"] = self._bad_header(arrays[key], rng)
        elif mutation == "zero-size giant":  # no bytes of data for 10^18 samples
            raw["X.npy"] = _npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000000000, 0), }", b"")
            raw["y.npy"] = _npy_with_header(rng.choice([
                "{'descr': '|S0', 'fortran_order': False, 'shape': (1000000000000000000,), }",
                "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000000000, 0), }"]), b"")
            return raw
        elif mutation == "not an archive":
            x = arrays.get("X", next(iter(arrays.values())))
            raw["__file__"] = rng.choice([_npy(x), pickle.dumps(_Touch(str(folder / "unpickled"))), b"", b"PK\x03\x04",
                                          _zip({"inner.npz": _zip({"X.npy": _npy(x)}, rng)}, rng),
                                          json.dumps({"X": [1, 2]}).encode()])
            return raw
        elif mutation == "zip members":
            choice = rng.randrange(4)
            if choice == 0:
                raw[f"dir/{key}.npy"] = _npy(arrays.pop(key))
            elif choice == 1:
                raw[f"{key}.npy"] = b"not npy data"
                arrays.pop(key)
            elif choice == 2:
                raw[f"{key}"] = _npy(arrays.pop(key))
            else:
                raw[f"{key}.npy"] = zlib.compress(_npy(arrays.pop(key)))
        members = {f"{k}.npy": _npy(v) for k, v in arrays.items()}
        members.update(raw)
        return members

    @staticmethod
    def _retyped(a: Any, rng: random.Random) -> Any:
        import numpy as np

        dtype = rng.choice(["complex64", "float16", "bool", "int8", "uint64", "datetime64[s]", "timedelta64[ms]", "S5", "U3",
                            "V8", [("a", "f4"), ("b", "i4")], ">f4", "float128" if hasattr(np, "float128") else "f8"])
        try:
            return a.astype(dtype)
        except (TypeError, ValueError):
            return np.zeros(a.shape, dtype=dtype)

    @staticmethod
    def _bad_header(a: Any, rng: random.Random) -> bytes:
        import numpy as np

        body = np.ascontiguousarray(a).tobytes() if a.dtype != object else b""
        descr = np.lib.format.dtype_to_descr(a.dtype)
        shape = rng.choice([(10**12,), (2**62, 2**62), (-1,), (len(a), -5), (), (len(a),) * 40, (2**31, 2**31, 2**31),
                            "x", (1.5,), (len(a), 10**9)])
        header = rng.choice([
            f"{{'descr': {descr!r}, 'fortran_order': False, 'shape': {shape!r}, }}",
            f"{{'descr': {descr!r}, 'fortran_order': True, 'shape': {tuple(a.shape)!r}, }}",
            f"{{'descr': '|O', 'fortran_order': False, 'shape': {tuple(a.shape)!r}, }}",
            f"{{'descr': 'garbage', 'fortran_order': False, 'shape': {tuple(a.shape)!r}, }}",
            f"{{'descr': {descr!r}, 'shape': {tuple(a.shape)!r}, }}",
            "__import__('os').system('touch pwned')",
            "{" * 5000 + "}" * 5000,
            f"{{'descr': {descr!r}, 'fortran_order': False, 'shape': {tuple(a.shape)!r}, 'extra': 1}}",
        ])
        return _npy_with_header(header, body)


# ---- image folders ------------------------------------------------------------------------------
def _png_header(width: int, height: int, mode: int = 2) -> bytes:
    """A PNG that declares ``width`` × ``height`` (right checksums) and holds one tiny IDAT."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, mode, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def _bmp_header(width: int, height: int) -> bytes:
    row = (width * 3 + 3) // 4 * 4
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, row * abs(height) & 0xFFFFFFFF, 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + len(info) + 12, 0, 0, 14 + len(info)) + info + b"\x00" * 12


class ImageFolders(_DataFormat):
    name = "images"
    dataset = "image_folder"
    mutations = (*BYTE_MUTATIONS, "empty file", "random bytes", "not an image", "huge dimensions", "odd image",
                 "layout", "several")

    def prepare(self, seeds: Path) -> None:
        from PIL import Image

        def encoded(image: Image.Image, fmt: str, **kw: Any) -> bytes:
            buffer = io.BytesIO()
            image.save(buffer, fmt, **kw)
            return buffer.getvalue()

        gradient = Image.linear_gradient("L").resize((12, 8))
        rgb = Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), gradient))
        self.images = {
            "a.png": encoded(rgb, "PNG"), "b.jpg": encoded(rgb.resize((10, 6)), "JPEG"),
            "c.bmp": encoded(gradient.resize((5, 5)), "BMP"), "d.gif": encoded(rgb.convert("P"), "GIF"),
            "e.tif": encoded(rgb, "TIFF"), "f.webp": encoded(rgb, "WEBP"), "g.png": encoded(rgb.convert("RGBA"), "PNG"),
        }
        self.odd = {
            "one.png": encoded(Image.new("RGB", (1, 1)), "PNG"),
            "thin.png": encoded(Image.new("L", (1, 3000)), "PNG"),
            "deep.png": encoded(Image.new("I;16", (6, 6), 4000), "PNG"),
            "float.tif": encoded(Image.new("F", (6, 6), 1e30), "TIFF"),
            "cmyk.jpg": encoded(Image.new("CMYK", (6, 6)), "JPEG"),
            "bilevel.png": encoded(Image.new("1", (6, 6)), "PNG"),
            "grey_alpha.png": encoded(Image.new("LA", (6, 6)), "PNG"),
            "anim.gif": encoded(rgb.convert("P"), "GIF", save_all=True, append_images=[rgb.convert("P")] * 3),
            "palette_alpha.png": encoded(Image.new("P", (6, 6)), "PNG", transparency=0),
        }
        self.warm_up(seeds)

    def options(self, target: Any, rng: random.Random) -> dict[str, Any]:
        options: dict[str, Any] = {"path": str(target)}
        if rng.random() < 0.5:
            options["size"] = rng.choice([(1, 1), (8, 8), (3, 17), (64, 64), (1024, 1024), (1, 1024)])
        if rng.random() < 0.3:
            options["grayscale"] = rng.random() < 0.5
        return options

    def write_input(self, folder: Path, rng: random.Random, mutation: str) -> Path:
        root = folder / "pets"
        classes = {c: dict(rng.sample(sorted(self.images.items()), 3)) for c in ("cat", "dog", "emu")[:rng.randint(2, 3)]}
        names = [mutation] if mutation != "several" else rng.choices(self.mutations[:-1], k=rng.randint(2, 4))
        for name in names:
            if classes:  # "layout" may have taken every class away
                self._mutate(classes, rng, name)
        for cls, files in classes.items():
            (root / cls).mkdir(parents=True, exist_ok=True)
            for file, data in files.items():
                target = root / cls / file
                if data is None:
                    target.mkdir(parents=True, exist_ok=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
        root.mkdir(exist_ok=True)
        return root

    def _mutate(self, classes: dict[str, dict[str, bytes | None]], rng: random.Random, mutation: str) -> None:
        cls = rng.choice(sorted(classes))
        files = classes[cls]
        file = rng.choice(sorted(files)) if files else "a.png"
        if mutation in BYTE_MUTATIONS:
            files[file] = BYTE_MUTATIONS[mutation](files.get(file) or b"", rng)
        elif mutation == "empty file":
            files[file] = b""
        elif mutation == "random bytes":
            files[file] = random_bytes(rng, rng.choice((1, 16, 1000)))
        elif mutation == "not an image":
            files[file] = rng.choice([b"hello, world\n", b"%PDF-1.4\n", json.dumps({"a": 1}).encode(),
                                      rng.choice(list(self.images.values()))[:20]])
        elif mutation == "huge dimensions":
            files[file.rsplit(".", 1)[0] + rng.choice([".png", ".bmp"])] = rng.choice([
                _png_header(100_000, 100_000), _png_header(2**31 - 1, 1), _png_header(20_000, 20_000),
                _png_header(9_500, 9_500), _png_header(0, 10), _png_header(1, 50_000_000),
                _bmp_header(60_000, 60_000), _bmp_header(9_000, -9_000), _bmp_header(-5, 5), _bmp_header(2**30, 1)])
        elif mutation == "odd image":
            name, data = rng.choice(sorted(self.odd.items()))
            files[name] = data
        elif mutation == "layout":
            choice = rng.randrange(7)
            if choice == 0:
                files.clear()
            elif choice == 1:
                for other in sorted(classes)[1:]:
                    del classes[other]
            elif choice == 2:
                files[".hidden.png"] = b"junk"
                files["notes.txt"] = b"junk"
            elif choice == 3:
                files["sub/inner.png"] = self.images["a.png"]
                files["folder.png"] = None  # a folder whose name ends in .png
            elif choice == 4:
                classes[rng.choice(["é", " ", ".hidden", "名前", "x" * 200])] = dict(files)
            elif choice == 5:
                classes.clear()
            else:
                files[rng.choice(["A.PNG", "b.JpEg", "c.tiff", "x.png.txt"])] = rng.choice(list(self.images.values()))
