"""Loading models: bundled names, paths, elements, and clear errors on bad input."""

from __future__ import annotations

import pytest

import flywheel
from flywheel.errors import ModelFileError, UnknownModelError, UnknownParameterError

from conftest import REPO_MODELS, TEST_MODELS


def test_bundled_models_are_the_repository_models():
    assert flywheel.available_models() == sorted(p.stem for p in REPO_MODELS.glob("*.mdl"))
    assert set(flywheel.available_models()) >= {"flywheel", "flywheel_minimal"}


@pytest.mark.parametrize("name", ["flywheel", "flywheel_minimal"])
def test_bundled_model_loads_with_control_2020_2040(name):
    model = flywheel.load(name)
    assert model.name == name
    assert model.control["INITIAL TIME"] == 2020
    assert model.control["FINAL TIME"] == 2040


def test_path_and_name_give_the_same_model():
    by_name = flywheel.load("flywheel_minimal")
    by_path = flywheel.load(REPO_MODELS / "flywheel_minimal.mdl")
    assert by_name.digest == by_path.digest
    assert list(by_name.elements) == list(by_path.elements)


def test_elements_have_kind_units_documentation_range_and_equation(teacup):
    temp = teacup.element("Teacup Temperature")
    assert temp.kind == "stock"
    assert temp.units == "Degrees"
    assert temp.equation == "INTEG ( -Heat Loss to Room, 180)"
    loss = teacup.element("heat_loss_to_room")  # PySD's snake_case works too
    assert loss.kind == "flow"
    assert loss.documentation == "Heat flow from the teacup to the room."
    assert teacup.stocks == ("Teacup Temperature",)
    assert teacup.flows == ("Heat Loss to Room",)
    assert dict(teacup.constants) == {"Characteristic Time": 10.0, "Room Temperature": 70.0}
    assert teacup.element("TIME STEP").kind == "control"
    assert teacup.control["SAVEPER"] == 0.125  # "SAVEPER = TIME STEP" resolved


def test_every_bundled_element_has_units_and_documentation(research, minimal):
    for model in (research, minimal):
        for element in model.elements.values():
            assert element.units, f"{model.name}: {element.name} has no units"
            assert element.documentation, f"{model.name}: {element.name} has no documentation"


def test_every_bundled_constant_has_a_range_and_a_source(research, minimal):
    for model in (research, minimal):
        for name in model.constants:
            element = model.element(name)
            low, high = element.range
            assert low is not None and high is not None, f"{model.name}: {name} has no range"
            assert low <= element.value <= high, f"{model.name}: {name} default outside range"
            assert element.source, f"{model.name}: {name} cites no 'Source:'"


def test_lookup_and_auxiliary_kinds():
    model = flywheel.load(TEST_MODELS / "functions.mdl")
    kinds = {el.kind for el in model.elements.values()}
    assert {"lookup", "auxiliary", "constant", "stock"} <= kinds


def test_describe_is_a_table_of_stocks_flows_and_constants(teacup):
    table = teacup.describe()
    assert sorted(table.index) == [
        "Characteristic Time", "Heat Loss to Room", "Room Temperature", "Teacup Temperature"
    ]
    assert set(table["kind"]) == {"stock", "flow", "constant"}
    assert table.loc["Room Temperature", "value"] == 70.0


def test_unknown_model_name_lists_the_bundled_models():
    with pytest.raises(UnknownModelError, match="flywheel_minimal"):
        flywheel.load("flywheel_maximal")


def test_missing_file_names_the_path_tried(tmp_path):
    missing = tmp_path / "nowhere.mdl"
    with pytest.raises(ModelFileError, match=str(missing)):
        flywheel.load(missing)


def test_unsupported_suffix(tmp_path):
    path = tmp_path / "model.txt"
    path.write_text("x = 1")
    with pytest.raises(ModelFileError, match=r"unsupported model file type '\.txt'"):
        flywheel.load(path)


def test_malformed_mdl_names_the_file_and_the_parser_message(tmp_path):
    path = tmp_path / "broken.mdl"
    path.write_text("{UTF-8}\nStock = INTEG (Flow + , 10)\n\t~\tunits\n\t~\t|\n")
    with pytest.raises(ModelFileError) as caught:
        flywheel.load(path)
    message = str(caught.value)
    assert str(path) in message
    assert "line 2, column 15: syntax error in element 'Stock'" in message


def test_unknown_element_suggests_close_names(teacup):
    with pytest.raises(UnknownParameterError, match="closest: 'Room Temperature'"):
        teacup.element("Room Temprature")


def test_a_model_pickles_as_its_file(minimal):
    import pickle

    copy = pickle.loads(pickle.dumps(minimal))
    assert copy.path == minimal.path and list(copy.elements) == list(minimal.elements)
