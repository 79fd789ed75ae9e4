"""ISF header parsing: inputs become scene.* parameters, passes and images are read, errors name file:line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from installation.errors import ShowError
from installation.projection.isf import load_scene_info, load_scene_text

BODY = "\nvoid main() { gl_FragColor = vec4(1.0); }\n"


def write(tmp_path: Path, header: str, name: str = "scene.fs") -> Path:
    path = tmp_path / name
    path.write_text(header + BODY, encoding="utf-8")
    return path


def error_of(tmp_path: Path, header: str) -> str:
    with pytest.raises(ShowError) as exc:
        load_scene_info(write(tmp_path, header))
    return str(exc.value)


def test_every_input_type_becomes_named_parameters(tmp_path: Path) -> None:
    info = load_scene_info(write(tmp_path, """/*{
  "ISFVSN": "2",
  "DESCRIPTION": "all input types",
  "INPUTS": [
    {"NAME": "glow", "TYPE": "float", "MIN": 0.0, "MAX": 2.0, "DEFAULT": 0.5},
    {"NAME": "mode", "TYPE": "long", "VALUES": [0, 1, 2], "LABELS": ["calm", "busy", "storm"], "DEFAULT": 1},
    {"NAME": "invert", "TYPE": "bool", "DEFAULT": true},
    {"NAME": "flash", "TYPE": "event"},
    {"NAME": "tint", "TYPE": "color", "DEFAULT": [1.0, 0.5, 0.0, 1.0]},
    {"NAME": "focus", "TYPE": "point2D", "DEFAULT": [0.25, 0.75]},
    {"NAME": "inputImage", "TYPE": "image"}
  ]
}*/"""))
    params = info.parameters()
    assert sorted(params) == sorted([
        "scene.glow", "scene.mode", "scene.invert", "scene.flash",
        "scene.tint.r", "scene.tint.g", "scene.tint.b", "scene.tint.a", "scene.focus.x", "scene.focus.y",
    ])
    glow = params["scene.glow"]
    assert (glow.minimum, glow.maximum, glow.default, glow.kind) == (0.0, 2.0, 0.5, "float")
    mode = params["scene.mode"]
    assert mode.kind == "long" and mode.choices == (("calm", 0.0), ("busy", 1.0), ("storm", 2.0))
    assert mode.default == 1.0
    assert params["scene.invert"].default == 1.0 and params["scene.invert"].kind == "bool"
    assert params["scene.tint.g"].default == 0.5 and params["scene.tint.g"].kind == "color-component"
    assert params["scene.focus.y"].default == 0.75
    assert not info.is_transition
    assert info.description == "all input types"
    assert info.color_expand("scene.tint", "#ff8000") == pytest.approx(
        {"scene.tint.r": 1.0, "scene.tint.g": 128 / 255, "scene.tint.b": 0.0, "scene.tint.a": 1.0})


def test_transition_is_recognised_and_its_driven_inputs_are_not_parameters(tmp_path: Path) -> None:
    info = load_scene_info(write(tmp_path, """/*{"INPUTS": [
  {"NAME": "startImage", "TYPE": "image"}, {"NAME": "endImage", "TYPE": "image"},
  {"NAME": "progress", "TYPE": "float"}, {"NAME": "softness", "TYPE": "float", "DEFAULT": 0.2}]}*/"""))
    assert info.is_transition
    assert list(info.parameters()) == ["scene.softness"]


def test_passes_persistent_float_and_size_expressions(tmp_path: Path) -> None:
    info = load_scene_info(write(tmp_path, """/*{
  "INPUTS": [{"NAME": "blur", "TYPE": "float", "MIN": 1, "MAX": 16, "DEFAULT": 4}],
  "PASSES": [
    {"TARGET": "small", "WIDTH": "floor($WIDTH/$blur)", "HEIGHT": "$HEIGHT/4.0"},
    {"TARGET": "trail", "PERSISTENT": true, "FLOAT": true},
    {}
  ]
}*/"""))
    small, trail, final = info.passes
    assert small.size(640, 360, {"blur": 4.0}) == (160, 90)
    assert small.size(640, 360, {"blur": 8.0}) == (80, 90)
    assert trail.persistent and trail.float_storage and trail.size(640, 360) == (640, 360)
    assert final.target is None


def test_imported_images_resolve_next_to_the_shader(tmp_path: Path) -> None:
    (tmp_path / "grain.ppm").write_text("P3 1 1 255 0 0 0\n")
    info = load_scene_info(write(tmp_path, '/*{"IMPORTED": {"grain": {"PATH": "grain.ppm"}}}*/'))
    assert info.imported[0].name == "grain"
    assert info.imported[0].path == (tmp_path / "grain.ppm").resolve()
    assert info.watched_files()[1] == info.imported[0].path


def test_legacy_imported_list_and_persistent_buffers_are_read(tmp_path: Path) -> None:
    (tmp_path / "a.ppm").write_text("P3 1 1 255 0 0 0\n")
    info = load_scene_info(write(tmp_path, """/*{"IMPORTED": [{"NAME": "tex", "PATH": "a.ppm"}],
  "PERSISTENT_BUFFERS": ["acc"], "PASSES": [{"TARGET": "acc"}, {}]}*/"""))
    assert info.imported[0].name == "tex"
    assert info.passes[0].persistent


@pytest.mark.parametrize(("header", "expected"), [
    ('/*{\n  "INPUTS": [\n    {"NAME": "x", "TYPE": "text"}\n  ]\n}*/',
     "scene.fs:3:27: input type 'text' is not supported"),
    ('/*{\n  "INPUTS": [\n    {"NAME": "x", "TYPE": "flaot"}\n  ]\n}*/',
     "scene.fs:3:27: unknown input TYPE 'flaot' (did you mean float?)"),
    ('/*{\n  "INPUTS": [\n    {"NAME": "x" "TYPE": "float"}\n  ]\n}*/',
     "scene.fs:3:18: ISF header JSON: expected ',' or '}'"),
    ('/*{"INPUTS": [{"NAME": "TIME", "TYPE": "float"}]}*/', "scene.fs:1:24: input NAME 'TIME' is reserved"),
    ('/*{"INPUTS": [{"NAME": "a", "TYPE": "float", "MIN": 2, "MAX": 1}]}*/', "MIN 2 is above MAX 1"),
    ('/*{"INPUTS": [{"NAME": "a", "TYPE": "float", "DEFUALT": 3}]}*/',
     "unknown key 'DEFUALT' in an input (did you mean DEFAULT?)"),
    ('/*{"PASSES": [{"TARGET": "b", "WIDTH": "$WIDTH/$nope"}, {}]}*/', "unknown variable $nope"),
    ('/*{"PASSES": [{"TARGET": "b", "WIDTH": "__import__(1)"}, {}]}*/', "only these functions may be called"),
    ('/*{"IMPORTED": {"grain": {"PATH": "missing.png"}}}*/',
     "scene.fs:1:35: imported image 'grain': file 'missing.png' not found"),
    ('/*{"INPUTS": [{"NAME": "startImage", "TYPE": "image"}, {"NAME": "endImage", "TYPE": "image"}]}*/',
     "missing: progress"),
    ('/*{"INPUTS": [{"NAME": "m", "TYPE": "long", "VALUES": [0, 1], "LABELS": ["a"]}]}*/',
     "LABELS must be a list of 2 strings"),
    ('void main() {}', "scene.fs:1:1: no ISF header"),
])
def test_header_problems_name_the_file_line_and_column(tmp_path: Path, header: str, expected: str) -> None:
    assert expected in error_of(tmp_path, header)


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    message = error_of(tmp_path, """/*{"INPUTS": [
  {"NAME": "a", "TYPE": "text"},
  {"NAME": "b", "TYPE": "nope"}]}*/""")
    assert "scene.fs:2:" in message and "scene.fs:3:" in message


def test_header_after_leading_whitespace_keeps_file_positions() -> None:
    text = '\n\n/*{"INPUTS": [{"NAME": "a", "TYPE": "colour"}]}*/\nvoid main(){}'
    with pytest.raises(ShowError) as exc:
        load_scene_text(text, Path("x.fs"))
    assert str(exc.value).startswith("x.fs:3:37:")


def test_body_line_points_after_the_header(tmp_path: Path) -> None:
    info = load_scene_info(write(tmp_path, '/*{\n"INPUTS": []\n}*/'))
    assert info.body_line == 3
    assert info.body.lstrip().startswith("void main")


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ShowError, match="shader file not found"):
        load_scene_info(tmp_path / "nope.fs")


# ------------------------------------------------------------------ imported images stay in the project
IMPORT = '/*{{"IMPORTED": {{"grain": {{"PATH": {path}}}}}}}*/'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder (with a texture in it) beside a folder outside it that holds a secret image."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.png").write_text("P3 1 1 255 0 0 0\n")
    root = tmp_path / "project"
    (root / "shaders" / "room").mkdir(parents=True)
    (root / "textures").mkdir()
    (root / "textures" / "grain.ppm").write_text("P3 1 1 255 0 0 0\n")
    return root


@pytest.mark.parametrize(
    "path",
    [
        "../../../outside/x.png",
        "{outside}/x.png",
        "link/x.png",
        "linked.png",
        "../../../project/../outside/x.png",
    ],
)
def test_an_imported_image_outside_the_project_is_refused_naming_the_shader(project: Path, path: str) -> None:
    shaders = project / "shaders" / "room"
    (shaders / "link").symlink_to(project.parent / "outside", target_is_directory=True)
    (shaders / "linked.png").symlink_to(project.parent / "outside" / "x.png")
    path = path.format(outside=project.parent / "outside")
    shader = write(shaders, IMPORT.format(path=json.dumps(path)), "evil.fs")
    with pytest.raises(ShowError) as exc:
        load_scene_info(shader, project)
    [problem] = exc.value.problems
    assert problem.file == "shaders/room/evil.fs" and problem.line == 1
    assert "imported image 'grain'" in problem.message and "outside the project folder" in problem.message
    assert path in problem.message


def test_an_imported_image_elsewhere_in_the_project_is_fine(project: Path) -> None:
    shader = write(project / "shaders" / "room", IMPORT.format(path='"../../textures/grain.ppm"'), "ok.fs")
    info = load_scene_info(shader, project)
    assert info.imported[0].path == (project / "textures" / "grain.ppm").resolve()


def test_without_a_project_folder_images_stay_beside_the_shader(project: Path) -> None:
    shader = write(project / "shaders" / "room", IMPORT.format(path='"../../textures/grain.ppm"'), "ok.fs")
    with pytest.raises(ShowError, match="outside the project folder"):
        load_scene_info(shader)


@pytest.mark.parametrize("path", ['"a\\u0000b.png"', json.dumps("x" * 5000 + ".png")])
def test_an_unusable_image_path_is_a_problem_not_a_crash(project: Path, path: str) -> None:
    shader = write(project / "shaders", IMPORT.format(path=path), "odd.fs")
    with pytest.raises(ShowError) as exc:
        load_scene_info(shader, project)
    assert len(str(exc.value)) < 300


def test_a_vertex_shader_linked_from_outside_is_refused(project: Path) -> None:
    (project.parent / "outside" / "evil.vs").write_text("void main() {}\n")
    shader = write(project / "shaders", "/*{}*/", "scene.fs")
    (project / "shaders" / "scene.vs").symlink_to(project.parent / "outside" / "evil.vs")
    with pytest.raises(ShowError, match=r"vertex shader 'scene\.vs' leads outside the project folder"):
        load_scene_info(shader, project)


def test_check_refuses_a_show_whose_scene_imports_from_outside(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from installation.cli import main

    write(project / "shaders", IMPORT.format(path='"../../outside/x.png"'), "evil.fs")
    (project / "cues").mkdir()
    show = project / "cues" / "show.yaml"
    show.write_text("show: Evil\nacts:\n  a:\n    scene: shaders/evil.fs\n", encoding="utf-8")
    assert main(["check", "--no-shaders", str(show)]) == 1
    err = capsys.readouterr().err
    assert "shaders/evil.fs:1:" in err and "outside the project folder" in err, err
