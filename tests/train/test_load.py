"""plotdigit_cli.load: round trips from generated shards to padded batches, checked against the PNGs
and JSON read here; shuffling, worker and rank splits, error handling, and the CLI and example."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import warnings

import numpy as np
import pytest
from PIL import Image

torch = pytest.importorskip("torch")

from plotdigit_cli import load  # noqa: E402
from plotdigit_cli.train import loader as loader_module  # noqa: E402
from plotdigit_cli.spec.families import FAMILIES  # noqa: E402
from plotdigit_cli.train.collate import CHART_TYPES, IMAGENET  # noqa: E402

from conftest import REPO, decode_png, invoke, read_samples  # noqa: E402

CUDA = torch.cuda.is_available()


def all_keys(loader) -> list[str]:
    return [key for batch in loader for key in batch.keys]


@pytest.fixture(scope="module")
def truth(small_run):
    """key -> (decoded pixels, parsed label), read with tarfile and Pillow."""
    return {k: (decode_png(s["png"]), json.loads(s["json"])) for k, s in read_samples(small_run).items()}


@pytest.fixture(scope="module")
def small_images(tmp_path_factory):
    out = tmp_path_factory.mktemp("small240") / "shards"
    result = invoke("generate", "--n", "5", "--out", str(out), "--image-size", "240", "--workers", "1", "--seed", "9")
    assert result.exit_code == 0, result.output
    return out


def test_batches_equal_the_pngs_and_json_they_came_from(small_run, truth):
    batches = list(load(small_run, 5, shuffle=False, num_workers=0))
    assert [len(b) for b in batches] == [5, 5, 5, 5, 4]
    assert [k for b in batches for k in b.keys] == sorted(truth)  # unshuffled: shard and key order
    for batch in batches:
        longest = int(batch.lengths.max())
        assert batch.images.shape == (len(batch), 3, 480, 480) and batch.images.dtype == torch.uint8
        assert batch.boxes.shape == (len(batch), longest + 2, 4) and batch.boxes.dtype == torch.float32
        assert batch.mask.shape == (len(batch), longest + 2) and batch.mask.dtype == torch.bool
        assert batch.image_mask.shape == (len(batch), 480, 480) and bool(batch.image_mask.all())
        for i, key in enumerate(batch.keys):
            pixels, label = truth[key]
            n = len(label["keypoints"])
            assert torch.equal(batch.images[i].permute(1, 2, 0), torch.from_numpy(pixels.copy()))
            assert batch.labels[i] == label
            assert int(batch.lengths[i]) == n
            assert CHART_TYPES[int(batch.chart_type[i])] == label["chart_type"]
            assert batch.image_sizes[i].tolist() == [480, 480]
            assert torch.equal(batch.boxes[i, 1:n + 1], torch.tensor(label["keypoints"], dtype=torch.float32))
            # start slot, end slot and padding: zero and masked out
            assert not batch.boxes[i, 0].any() and not batch.boxes[i, n + 1:].any()
            assert batch.mask[i].tolist() == [False] + [True] * n + [False] * (longest + 1 - n)


def test_mixed_sizes_pad_at_the_top_left_with_an_image_mask(small_run, small_images, truth):
    small = {k: decode_png(s["png"]) for k, s in read_samples(small_images).items()}
    batch = next(iter(load([str(small_images / "shard-000000.tar"), str(small_run / "shard-000002.tar")], 9,
                           shuffle=False, num_workers=0)))
    assert batch.images.shape == (9, 3, 480, 480)
    for i in range(5):  # the 240 px charts come first
        image = batch.images[i]
        assert torch.equal(image[:, :240, :240].permute(1, 2, 0), torch.from_numpy(small[batch.keys[i]].copy()))
        assert not image[:, 240:, :].any() and not image[:, :, 240:].any()
        assert batch.image_mask[i, :240, :240].all() and not batch.image_mask[i, 240:].any()
        assert not batch.image_mask[i, :, 240:].any()
        assert batch.image_sizes[i].tolist() == [240, 240]
    assert batch.image_mask[5:].all()


def test_image_size_resizes_and_float32_normalises(small_run, truth):
    batch = next(iter(load(small_run, 4, shuffle=False, num_workers=0, image_size=(120, 160), dtype="float32",
                           normalize="imagenet")))
    assert batch.images.shape == (4, 3, 120, 160) and batch.images.dtype == torch.float32
    assert batch.image_sizes[0].tolist() == [480, 480] and bool(batch.image_mask.all())
    pixels, _ = truth[batch.keys[0]]
    resized = np.asarray(Image.fromarray(pixels).resize((160, 120), Image.Resampling.BILINEAR), dtype=np.float32)
    mean, std = (np.array(v, dtype=np.float32) for v in IMAGENET)
    expected = ((resized / 255 - mean) / std).transpose(2, 0, 1)
    np.testing.assert_allclose(batch.images[0].numpy(), expected, atol=1e-5)


def test_every_sample_once_per_epoch_and_a_new_order_each_epoch(small_run, truth):
    loader = load(small_run, 4, seed=7, num_workers=0)
    first, second = all_keys(loader), all_keys(loader)
    assert sorted(first) == sorted(second) == sorted(truth)
    assert first != second and first != sorted(truth)  # shuffled, and reshuffled by epoch
    assert all_keys(load(small_run, 4, seed=7, num_workers=0)) == first  # same seed, same order
    assert all_keys(load(small_run, 4, seed=8, num_workers=0)) != first


def test_two_workers_split_the_shards_without_duplicates(small_run, truth):
    batches = list(load(small_run, 4, shuffle=False, num_workers=2))
    keys = [k for b in batches for k in b.keys]
    assert sorted(keys) == sorted(truth) and len(keys) == len(set(keys))
    # shards 0, 1, 2 in order: worker 0 reads shards 0 and 2, worker 1 shard 1; no batch mixes them
    for batch in batches:
        shard_ids = {int(k) // 10 for k in batch.keys}
        assert shard_ids <= {0, 2} or shard_ids <= {1}, batch.keys


def test_two_ranks_cover_the_set_exactly_once(small_run, truth, monkeypatch):
    seen = []
    for rank in (0, 1):
        monkeypatch.setenv("RANK", str(rank))
        monkeypatch.setenv("WORLD_SIZE", "2")
        seen.append(all_keys(load(small_run, 4, seed=3, num_workers=0)))
    assert not set(seen[0]) & set(seen[1])
    assert sorted(seen[0] + seen[1]) == sorted(truth)


def test_epoch_size_and_resampling(small_run, truth):
    assert [len(b) for b in load(small_run, 4, num_workers=0, epoch_size=10)] == [4, 4, 4]
    resampled = load(small_run, 4, num_workers=0, resampled=True, epoch_size=40)
    keys = all_keys(resampled)
    assert len(keys) == 40 and set(keys) <= set(truth)
    assert all_keys(load(small_run, 4, num_workers=0, resampled=True, epoch_size=40)) == keys


def _break(path, name, data):
    with tarfile.open(path) as tar:
        members = [(info, tar.extractfile(info).read()) for info in tar.getmembers()]
    with tarfile.open(path, "w") as tar:
        for info, content in members:
            if info.name == name:
                content = data
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))


@pytest.fixture
def broken(small_run, tmp_path):
    """Shards 0 and 2 as they are; shard 1 with two broken labels."""
    import shutil
    for name in ("shard-000000.tar", "shard-000001.tar", "shard-000002.tar"):
        shutil.copy(small_run / name, tmp_path / name)
    _break(tmp_path / "shard-000001.tar", "000000012.json", b"{not json")
    _break(tmp_path / "shard-000001.tar", "000000015.png", b"\x89PNG broken")
    return tmp_path


@pytest.mark.parametrize("workers", [0, 2])
def test_handler_raise_names_shard_and_key(broken, workers):
    with pytest.raises(loader_module.BrokenSample, match=r"shard-000001\.tar / 000000012: label is not usable") as e:
        all_keys(load(str(broken / "shard-{000000..000002}.tar"), 4, shuffle=False, num_workers=workers))
    # one line, the same whether a worker raised it or not
    assert str(e.value).startswith(f"{broken / 'shard-000001.tar'} / 000000012: ") and "\n" not in str(e.value)


def test_handler_skip_warns_once_per_shard_and_counts(broken, truth):
    loader = load(str(broken / "shard-{000000..000002}.tar"), 4, shuffle=False, num_workers=0, handler="skip")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        keys = all_keys(loader)
    assert sorted(keys) == sorted(set(truth) - {"000000012", "000000015"})
    assert loader.skipped == 2
    messages = [str(w.message) for w in caught if "skipping broken samples" in str(w.message)]
    assert len(messages) == 1 and "shard-000001.tar" in messages[0] and "000000012" in messages[0]


def test_handler_skip_counts_across_workers(broken, truth):
    loader = load(str(broken / "shard-{000000..000002}.tar"), 4, num_workers=2, handler="skip")
    assert sorted(all_keys(loader)) == sorted(set(truth) - {"000000012", "000000015"})
    assert loader.skipped == 2


def test_a_truncated_tar_raises_or_is_skipped(small_run, tmp_path):
    path = tmp_path / "shard-000002.tar"
    with tarfile.open(small_run / path.name) as tar:
        info = tar.getmember("000000021.png")
    path.write_bytes((small_run / path.name).read_bytes()[:info.offset_data + 1000])
    with pytest.raises(loader_module.BrokenSample, match=r"shard-000002\.tar: not a readable tar"):
        all_keys(load(path, 4, num_workers=0))
    loader = load(path, 4, num_workers=0, handler="skip")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert sorted(all_keys(loader)) == ["000000020"]
    assert loader.skipped >= 1


def test_pin_memory_without_cuda_warns_once_and_goes_on(small_run):
    if CUDA:
        pytest.skip("a CUDA device is present")
    with pytest.warns(UserWarning, match="no CUDA device") as caught:
        loader = load(small_run, 8, num_workers=0, pin_memory=True)
    assert len(caught) == 1 and loader.pin_memory is False
    batch = next(iter(loader))
    assert not batch.images.is_pinned()
    assert load(small_run, 8, num_workers=0).pin_memory is False  # 'auto' without CUDA


@pytest.mark.skipif(not CUDA, reason="needs a CUDA device")
def test_batches_arrive_pinned_and_move_to_the_gpu(small_run, truth):
    loader = load(small_run, 8, num_workers=2, shuffle=False)
    batch = next(iter(loader))
    assert batch.images.is_pinned() and batch.boxes.is_pinned() and batch.mask.is_pinned()
    gpu = batch.to("cuda", non_blocking=True)
    torch.cuda.synchronize()
    assert gpu.images.device.type == "cuda" and gpu.image_mask.device.type == "cuda"
    assert torch.equal(gpu.images.cpu()[0].permute(1, 2, 0), torch.from_numpy(truth[batch.keys[0]][0]))


def test_batch_to_and_pin_memory_keep_the_values(small_run):
    batch = next(iter(load(small_run, 3, shuffle=False, num_workers=0)))
    moved = batch.to("cpu", non_blocking=True)
    for name in ("images", "boxes", "mask", "lengths", "chart_type", "image_sizes"):
        assert torch.equal(getattr(moved, name), getattr(batch, name))
    assert moved.keys == batch.keys and moved.labels == batch.labels


def test_pillow_fallback_decodes_the_same_pixels(small_run, monkeypatch, truth):
    png = read_samples(small_run)["000000000"]["png"]
    fast = loader_module.decode_png(png)
    monkeypatch.setattr(loader_module, "pyspng", None)
    assert loader_module.decoder_name() == "pillow"
    assert np.array_equal(loader_module.decode_png(png), fast)
    assert np.array_equal(fast, truth["000000000"][0])


def test_bad_arguments_are_value_errors_naming_the_argument(small_run, tmp_path):
    for kwargs, message in (({"dtype": "float16"}, "dtype"), ({"handler": "ignore"}, "handler"),
                            ({"normalize": "imagenet"}, "normalize needs dtype='float32'"),
                            ({"image_size": (0, 10)}, "image_size"), ({"epoch_size": 0}, "epoch_size")):
        with pytest.raises(ValueError, match=message):
            load(small_run, 4, **kwargs)
    with pytest.raises(ValueError, match="batch_size"):
        load(small_run, 0)
    with pytest.raises(FileNotFoundError, match="no such file"):
        load(tmp_path / "missing", 4)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no .tar shards"):
        load(tmp_path / "empty", 4)


def test_chart_type_ids_cover_every_family_and_are_documented():
    import re

    assert set(FAMILIES) <= set(CHART_TYPES)
    documented = re.findall(r"^\| (\d+) \| `([a-z_]+)` \|$", (REPO / "docs" / "load.md").read_text(), re.M)
    assert [(int(i), name) for i, name in documented] == list(enumerate(CHART_TYPES))


def test_generator_and_inspect_work_without_torch(tmp_path):
    code = (
        "import sys; sys.modules['torch'] = None\n"  # any 'import torch' now fails
        "from plotdigit_cli.cli import cli\n"
        "from click.testing import CliRunner\n"
        f"r = CliRunner().invoke(cli, ['generate', '--n', '2', '--out', {str(tmp_path / 'out')!r}, '--workers', '1'])\n"
        "assert r.exit_code == 0, r.output\n"
        f"r = CliRunner().invoke(cli, ['inspect', {str(tmp_path / 'out')!r}])\n"
        "assert r.exit_code == 0, r.output\n"
        "try:\n"
        "    from plotdigit_cli import load\n"
        "except ModuleNotFoundError as e:\n"
        "    print('no torch:', e)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    # a hint that installs: the extra's packages (plotdigit is not on PyPI), and the checkout's extra
    assert "no torch: plotdigit_cli.load needs torch: pip install 'torch" in proc.stdout, proc.stdout
    assert "'pyspng>=0.1.1'" in proc.stdout and "pip install '.[torch]'" in proc.stdout
    assert "plotdigit[" not in proc.stdout


def test_load_command_prints_shapes_and_speed(small_run, broken):
    result = invoke("load", str(small_run), "--batch-size", "8", "--workers", "0", "--batches", "2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("3 shard(s), batch size 8 (3 per epoch), 0 worker(s), PNG decoder ")
    assert lines[1].startswith("first batch: images [8, 3, 480, 480] uint8, image_mask [8, 480, 480] bool, boxes [8, ")
    assert lines[-1].startswith("2 batches, 16 samples in ")
    failed = invoke("load", str(broken / "shard-000001.tar"), "--workers", "0")
    assert failed.exit_code == 1 and len(failed.stderr.splitlines()) == 1
    assert "shard-000001.tar / 000000012" in failed.stderr
    failed = invoke("load", str(broken / "shard-000001.tar"), "--workers", "2")
    assert failed.exit_code == 1
    assert failed.stderr.startswith(f"Error: {broken / 'shard-000001.tar'} / 000000012: label is not usable")
    missing = invoke("load", str(broken / "nope.tar"))
    assert missing.exit_code == 2 and "no such file or directory" in missing.stderr


@pytest.mark.slow  # the fast tier's budget: this one renders or runs for seconds
def test_train_example_runs_its_loss_falls_and_its_predictions_score(small_run, tmp_path):
    preds = tmp_path / "preds.jsonl"
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "train_example.py"), "--shards", str(small_run),
                           "--steps", "24", "--batch-size", "8", "--workers", "0", "--every", "4",
                           "--predict", str(small_run), "--pred-out", str(preds)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    params = int(proc.stdout.splitlines()[0].split()[1].replace(",", ""))
    assert params < 1_000_000
    losses = [float(line.split()[3]) for line in proc.stdout.splitlines() if line.startswith("step")]
    assert len(losses) == 6 and losses[-1] < losses[0]
    assert "wrote 24 predictions" in proc.stdout
    scored = invoke("score", "--pred", str(preds), "--truth", str(small_run), "--json")
    assert scored.exit_code == 0, scored.output
    report = json.loads(scored.stdout)
    assert report["charts"] == 24 and report["missing"] == 0 and report["unknown_keys"] == 0
    assert 0.0 <= report["keypoints"]["0.05"]["f1"] <= 1.0


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.slow  # the fast tier's budget
def test_label_v1_and_v2_shards_still_inspect_and_load(small_run, truth, tmp_path, version):
    """Shards written before label/3 (/2: untyped, names in x and y, nulls and optional fields) and
    before label/2 (/1: no text, table, visible flags) stay readable by inspect and load."""
    from plotdigit_cli.label.labels import SCHEMA_V1, SCHEMA_V2

    from legacy import untyped

    old = tmp_path / f"v{version}" / "shard-000000.tar"
    old.parent.mkdir()
    with tarfile.open(small_run / "shard-000000.tar") as src, tarfile.open(old, "w", format=tarfile.USTAR_FORMAT) as dst:
        for member in src:
            data = src.extractfile(member).read()
            if member.name.endswith(".json"):
                label = untyped(json.loads(data))  # the /2 label of the same chart
                if version == 1:
                    for field in ("text", "text_boxes", "table", "style", "source"):
                        del label[field]
                    for series in label["series"]:
                        series.pop("style")
                        for point in series["points"]:
                            point.pop("visible")
                            point.pop("base", None)
                            point.pop("error", None)
                    label["schema"] = SCHEMA_V1
                data = json.dumps(label).encode()
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    result = invoke("inspect", str(old), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sound"] is True
    batch = next(iter(load([str(old)], 10, shuffle=False, num_workers=0)))
    assert batch.labels[0]["schema"] == (SCHEMA_V1 if version == 1 else SCHEMA_V2)
    for i, key in enumerate(batch.keys):
        n = len(truth[key][1]["keypoints"])
        expected = torch.tensor(truth[key][1]["keypoints"], dtype=torch.float32)
        assert torch.equal(batch.boxes[i, 1:n + 1], expected) and bool(batch.mask[i, 1:n + 1].all())
