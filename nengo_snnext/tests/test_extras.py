"""Optional extras: one clear error names the missing extra; ``nengo_snnext.convert`` is lazy."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

import nengo_snnext
from nengo_snnext.backends.extras import MissingExtraError, extra_for, missing, require


def test_require_names_the_extra_and_the_install_line():
    require("dl", "something", "os")  # importable: nothing raised
    with pytest.raises(MissingExtraError, match=r'needs not_a_module_xyz, which the \[loihi\] extra installs: '
                                                r'pip install "nengo-snnext\[loihi\]"'):
        require("loihi", "nengo_snnext.loihi", "not_a_module_xyz")
    assert missing("os", "not_a_module_xyz") == ["not_a_module_xyz"]
    assert extra_for("tensorflow.python") == "dl" and extra_for("nengo_loihi") == "loihi"
    assert extra_for("numpy") is None


def test_convert_is_the_keras_convert_imported_on_first_use():
    # a fresh interpreter: this test process may have imported TensorFlow already
    code = ("import sys, nengo_snnext\nprint('tensorflow' in sys.modules)\n"
            "try:\n    f = nengo_snnext.convert\nexcept ImportError as e:\n    print(type(e).__name__)\n"
            "else:\n    import nengo_snnext.keras\n    print(f is nengo_snnext.keras.convert)\n")
    env = dict(os.environ, PYTHONPATH=str(Path(nengo_snnext.__file__).parents[1]), TF_CPP_MIN_LOG_LEVEL="3")
    lines = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                           check=True).stdout.split()
    has_dl = importlib.util.find_spec("nengo_dl") is not None
    assert lines == ["False", "True" if has_dl else "MissingExtraError"]
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        nengo_snnext.not_a_name
