"""Saves a large project over and over in a child process and kills it with SIGKILL at random
moments; after each kill checks that what is on disk loads and is a complete version: the last
one whose save had returned, or the one being saved (if the kill came after its rename).

Run by ``test_kill_during_save.py`` (and by hand: ``python tests/trust/save_killer.py FOLDER
--kills 100``); prints one JSON line with the counts. This process imports torch once and forks
a saver per kill, so a hundred kills take seconds, not a hundred interpreter starts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import signal
import sys
import time
from pathlib import Path

PROJECTS = Path(__file__).resolve().parents[2] / "projects"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--longest-s", type=float, default=0.35, help="kills land uniformly in [0, this] after the saver starts")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(1)  # no thread team: forking stays safe
    from netdesigner.core.backup import backup_path
    from netdesigner.core.errors import ProjectError
    from netdesigner.core.project import Project

    project = Project.load(PROJECTS / "resnet18.ndproj")
    base = {k: v.clone() for k, v in project.compile().state_dict().items()}
    probes = ["conv1.weight", "fc.bias"] if "fc.bias" in base else sorted(base)[:2]

    def version(v: int) -> None:
        project.description = f"version {v}"
        project.weights = {k: (t + v if t.is_floating_point() else t) for k, t in base.items()}

    def version_on_disk(path: Path) -> int:
        loaded = Project.load(path)  # ProjectError if the files do not make a whole
        v = int(loaded.description.split()[-1])
        for k in probes:
            if not torch.equal(loaded.weights[k], base[k] + v):
                raise ProjectError(f"{path}: weights {k} are not those of version {v}")
        return v

    target = args.folder / "resnet18.ndproj"
    version(0)
    project.save(target)
    rng = random.Random(args.seed)
    counts = {"kills": 0, "old": 0, "new": 0, "mid_write": 0, "backup_loads": 0, "problems": []}
    done = 0  # the last version whose save returned
    for _ in range(args.kills):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the saver
            os.close(read_end)
            v = done
            while True:
                v += 1
                version(v)
                project.save(target)
                os.write(write_end, f"{v}\n".encode())
        os.close(write_end)
        time.sleep(rng.uniform(0.0, args.longest_s))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        counts["kills"] += 1
        reported = b""
        while select.select([read_end], [], [], 0)[0]:
            chunk = os.read(read_end, 4096)
            if not chunk:
                break
            reported += chunk
        os.close(read_end)
        lines = reported.decode().split()
        if lines:
            done = int(lines[-1])
        leftovers = list(args.folder.glob(".*.tmp"))
        counts["mid_write"] += bool(leftovers)
        for f in leftovers:
            f.unlink()
        try:
            found = version_on_disk(target)
        except (ProjectError, ValueError, KeyError) as e:
            counts["problems"].append(f"kill {counts['kills']}: {e}")
            continue
        if found == done:
            counts["old"] += 1
        elif found == done + 1:
            counts["new"] += 1
            done = found
        else:
            counts["problems"].append(f"kill {counts['kills']}: version {found} on disk, {done} was the last saved")
        if backup_path(target).exists():
            try:
                Project.load(backup_path(target))
                counts["backup_loads"] += 1
            except ProjectError as e:
                counts["problems"].append(f"kill {counts['kills']}: the backup does not load: {e}")
    counts["versions_saved"] = done
    counts["weights_files_left"] = len(list(args.folder.glob("*.safetensors")))
    print(json.dumps(counts))
    return 0 if not counts["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
