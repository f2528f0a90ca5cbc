"""The training config (training/config.py): every key checked, Trainer settings and the generator's
recipe reachable from YAML, command-line overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from govreport.cli import main
from govreport.training import train as train_module
from govreport.training.config import BASE_CONFIG, load_config, parse_overrides
from govreport.training.synth import generate, recipe
from govreport.training.train import training_arguments

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
SHIPPED = sorted(CONFIGS.glob("*.yaml")) + sorted(CONFIGS.glob("ab/*.yaml"))


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(CONFIGS)))
def test_every_shipped_config_is_valid(path: Path) -> None:
    cfg = load_config(path)
    assert cfg["window"] <= 512


@pytest.mark.parametrize(("text", "named"), [
    ("training: {lerning_rate: 0.5}\n", "training.lerning_rate"),
    ("windw: 12\n", "windw"),
    ("model: {hiden_size: 8}\n", "model.hiden_size"),
    ("data: {synthetic: {n_train: 1, n_tran: 2}}\n", "data.synthetic.n_tran"),
    ("data: {annotated: {dir: null, wieght: 1}}\n", "data.annotated.wieght"),
    ("data: {synthetic: {recipe: {layout.pfd: 3}}}\n", "data.synthetic.recipe.layout.pfd"),
])
def test_unknown_keys_at_any_depth_are_refused_with_their_path(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ValueError, match=rf"unknown config key {named}\b"):
        load_config(_config(tmp_path, text))


@pytest.mark.parametrize(("text", "named"), [
    ("training: {max_steps: many}\n", "training.max_steps"),
    ("features: {geometry: 1}\n", "features.geometry"),
    ("model: 3\n", "model"),
    ("data: {synthetic: {recipe: {sign_words: high}}}\n", "data.synthetic.recipe.sign_words"),
])
def test_values_of_the_wrong_type_are_refused_with_their_path(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ValueError, match=rf"config key {named}\b"):
        load_config(_config(tmp_path, text))


def test_default_config_trains_as_before() -> None:
    """The settings that used to be hard-coded keep their values for configs/default.yaml."""
    cfg = load_config(CONFIGS / "default.yaml")
    t = cfg["training"]
    assert (t["lr_scheduler"], t["best_metric"], t["greater_is_better"], t["dataloader_workers"], t["use_cpu"]) == \
        ("linear", "selection", True, 0, True)
    assert cfg["dev_stride"] is None and cfg["data"]["synthetic"]["recipe"] == {}
    assert (t["max_steps"], t["learning_rate"], cfg["model"]["hidden_size"]) == (20000, 0.002, 96)


def test_trainer_settings_reach_the_trainer(tmp_path: Path) -> None:
    over = ["--training.lr_scheduler", "cosine", "--training.best_metric", "span_f1", "--training.use_cpu", "true",
            "--training.dataloader_workers", "1", "--training.greater_is_better", "false"]
    args = training_arguments(load_config(CONFIGS / "tiny.yaml", over), tmp_path)
    assert str(args.lr_scheduler_type.value) == "cosine"
    assert (args.metric_for_best_model, args.greater_is_better, args.dataloader_num_workers, args.use_cpu) == \
        ("span_f1", False, 1, True)
    default = training_arguments(load_config(CONFIGS / "tiny.yaml"), tmp_path)
    assert (str(default.lr_scheduler_type.value), default.metric_for_best_model) == ("linear", "selection")


def test_dev_stride_is_read_from_the_config() -> None:
    assert train_module.dev_window_spec(load_config(CONFIGS / "tiny.yaml")).stride == 126  # window - 2
    assert train_module.dev_window_spec(load_config(CONFIGS / "tiny.yaml", ["--dev_stride", "100"])).stride == 100


def test_overrides_parse_as_yaml_values() -> None:
    assert parse_overrides(["--training.max_steps", "100", "--data.dev_dir=null", "--data.train_dirs", "[a, b]",
                            "--data.synthetic.recipe.layout.pdf", "20"]) == \
        {"training": {"max_steps": 100}, "data": {"dev_dir": None, "train_dirs": ["a", "b"],
                                                  "synthetic": {"recipe": {"layout.pdf": 20}}}}
    with pytest.raises(ValueError, match="no value"):
        parse_overrides(["--training.max_steps"])
    with pytest.raises(ValueError, match=r"expected --dotted\.key"):
        parse_overrides(["max_steps", "3"])


def test_overrides_apply_over_the_file_and_are_checked() -> None:
    cfg = load_config(CONFIGS / "tiny.yaml", ["--training.max_steps", "100"])
    assert cfg["training"]["max_steps"] == 100 and cfg["training"]["batch_size"] == 8
    with pytest.raises(ValueError, match=r"unknown config key training\.lerning_rate"):
        load_config(CONFIGS / "tiny.yaml", ["--training.lerning_rate", "1"])


def test_recipe_overrides_change_generation_and_are_restored() -> None:
    only_pdf = {f"layout.{k}": 0 for k in recipe.weights("layout")} | {"layout.pdf": 1}
    before = dict(recipe.RECIPE)
    families = set(recipe.weights("layout"))
    with recipe.overridden(only_pdf):
        used = {s for _, meta in generate(8, seed=3) for s in meta["layout"]} & families
    assert used == {"pdf"}
    assert recipe.RECIPE == before
    docs = train_module.synthetic_documents(2, 3, only_pdf)
    assert len(docs) == 2 and recipe.RECIPE == before


def test_cli_passes_overrides_to_train(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    seen = {}

    def fake_train(config, resume=False, output_dir=None, init_from=None, overrides=()):
        seen["cfg"] = load_config(config, overrides)
        return {"steps": 0, "train_minutes": 0, "parameters": 0, "dev_metrics": {}}

    monkeypatch.setattr(train_module, "train", fake_train)
    assert main(["train", str(CONFIGS / "tiny.yaml"), "--training.max_steps", "7", "--resume"]) == 0
    assert seen["cfg"]["training"]["max_steps"] == 7
    monkeypatch.undo()
    assert main(["train", str(CONFIGS / "tiny.yaml"), "--training.lerning_rate", "1"]) == 1
    assert "training.lerning_rate" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["schema", "--training.max_steps", "3"])


def test_base_config_is_not_the_shipped_model() -> None:
    shipped = yaml.safe_load((CONFIGS / "default.yaml").read_text(encoding="utf-8"))
    assert BASE_CONFIG["model"]["hidden_size"] != shipped["model"]["hidden_size"]
