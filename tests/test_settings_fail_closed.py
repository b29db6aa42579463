"""Settings fail closed: a bare process is production and refuses to start without its
secrets; the demo's .env (written by `make demo`) is what makes a checkout a development one.

Each subprocess runs in a checkout of its own (this one's files, but no .env), so that a
developer's .env never changes the outcome and CI's fresh clone is what is tested.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.settings import environment

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "k3y-for-these-tests-only-" + "p4Qm9vR2tL8zZ4wN6bY1cF5hJ3dS0gKx"


@pytest.fixture
def checkout(tmp_path):
    """A checkout without .env: its own settings package (which finds .env next to itself)
    and manage.py, every other file shared with this one."""
    root = tmp_path / "checkout"
    root.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in {".env", ".git", "var", "portal", "manage.py"}:
            (root / entry.name).symlink_to(entry)
    shutil.copytree(ROOT / "portal", root / "portal", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "manage.py", root / "manage.py")
    return root


def manage(checkout, *args, env):
    """``manage.py`` with exactly ``env`` as its environment, nothing inherited."""
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", *args],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def read_settings(checkout, *names, env):
    code = "; ".join(f"print(repr(settings.{name}))" for name in names)
    result = manage(checkout, "shell", "-c", f"from django.conf import settings; {code}", env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-len(names) :]


def test_a_process_with_no_environment_at_all_refuses_to_start_and_says_what_to_set(checkout):
    result = manage(checkout, "check", env={})

    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG=false" in message
    assert "make demo" in message
    assert "dev-only-secret-key" not in result.stdout + result.stderr


def test_debug_true_without_a_key_refuses_too_rather_than_use_a_public_one(checkout):
    result = manage(checkout, "check", env={"DEBUG": "true"})

    assert result.returncode != 0
    assert "SECRET_KEY must be set, even with DEBUG=true" in result.stderr


def test_debug_is_off_and_production_protections_on_unless_asked_for(checkout):
    env = {"SECRET_KEY": SECRET_KEY, "ALLOWED_HOSTS": "cadaujac.example.org"}

    debug, redirect, cookie = read_settings(
        checkout, "DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", env=env
    )

    assert (debug, redirect, cookie) == ("False", "True", "True")


def test_the_deploy_check_passes_with_only_a_secret_key_and_allowed_hosts(checkout):
    env = {"SECRET_KEY": SECRET_KEY, "ALLOWED_HOSTS": "cadaujac.example.org"}

    result = manage(checkout, "check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr


def test_make_demo_writes_an_env_file_that_makes_the_checkout_a_development_one(checkout):
    written = subprocess.run(
        ["make", "--no-print-directory", ".env"],  # noqa: S607 (make from PATH, as a developer)
        cwd=checkout,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    env_file = (checkout / ".env").read_text()
    assert "DEBUG=true" in env_file, written.stdout
    [key_line] = [line for line in env_file.splitlines() if line.startswith("SECRET_KEY=")]
    assert len(key_line.removeprefix("SECRET_KEY=")) >= 50

    # The README's commands then work with nothing in the environment.
    assert manage(checkout, "help", "simulate_inbound_sms", env={}).returncode == 0
    debug, token, key = read_settings(checkout, "DEBUG", "TWILIO_AUTH_TOKEN", "SECRET_KEY", env={})
    assert (debug, token) == ("True", "'demo-twilio-token'")
    assert key == repr(key_line.removeprefix("SECRET_KEY="))


def test_each_checkout_gets_its_own_demo_key(checkout, tmp_path):
    keys = set()
    for _ in range(2):
        (checkout / ".env").unlink(missing_ok=True)
        subprocess.run(
            ["make", "--no-print-directory", ".env"],  # noqa: S607
            cwd=checkout,
            capture_output=True,
            timeout=60,
            check=True,
        )
        keys.add((checkout / ".env").read_text())
    assert len(keys) == 2


def test_the_environment_wins_over_the_env_file(checkout):
    (checkout / ".env").write_text(f"DEBUG=true\nSECRET_KEY={SECRET_KEY}\nSMS_BACKEND=outbox\n")
    env = {"DEBUG": "false", "ALLOWED_HOSTS": "cadaujac.example.org", "SMS_BACKEND": "console"}

    debug, backend, key = read_settings(checkout, "DEBUG", "SMS_BACKEND", "SECRET_KEY", env=env)

    assert (debug, backend, key) == ("False", "'console'", repr(SECRET_KEY))


def test_an_empty_env_file_variable_reads_no_file(checkout):
    (checkout / ".env").write_text(f"DEBUG=true\nSECRET_KEY={SECRET_KEY}\n")

    result = manage(checkout, "check", env={"ENV_FILE": ""})

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG=false" in result.stderr


def test_a_missing_env_file_that_was_named_stops_the_process(checkout):
    result = manage(checkout, "check", env={"ENV_FILE": str(checkout / "nowhere.env")})

    assert result.returncode != 0
    assert "ENV_FILE=" in result.stderr
    assert "no such file" in result.stderr


# --- Typed values: a typo stops the process, naming the variable -------------------------------


@pytest.mark.parametrize(
    ("helper", "value"),
    [
        (lambda: environment.env_bool("VOISINAGE_PROBE", default=False), "flase"),
        (lambda: environment.env_int("VOISINAGE_PROBE", default=1), "10/s"),
        (lambda: environment.env_int("VOISINAGE_PROBE", default=1), "-3"),
        (lambda: environment.env_float("VOISINAGE_PROBE", default=1.0), "vite"),
        (lambda: environment.env_time_zone("VOISINAGE_PROBE", default="UTC"), "Europe/Pariss"),
        (lambda: environment.env_time_zone("VOISINAGE_PROBE", default="UTC"), "Europe"),
        (lambda: environment.env_time_zone("VOISINAGE_PROBE", default="UTC"), "../etc/passwd"),
    ],
)
def test_a_value_that_cannot_be_read_stops_the_settings_naming_the_variable(
    helper, value, monkeypatch
):
    monkeypatch.setenv("VOISINAGE_PROBE", value)

    with pytest.raises(ImproperlyConfigured, match=rf"VOISINAGE_PROBE='{value}' is not"):
        helper()


def test_an_empty_value_counts_as_unset(monkeypatch):
    monkeypatch.setenv("VOISINAGE_PROBE", "  ")

    assert environment.env_bool("VOISINAGE_PROBE", default=True) is True
    assert environment.env_int("VOISINAGE_PROBE", default=7) == 7
    assert environment.env_list("VOISINAGE_PROBE", default=["a"]) == ["a"]
    assert environment.env_str("VOISINAGE_PROBE", default="x") == "x"


def test_a_bad_value_in_a_real_setting_stops_the_process(checkout):
    env = {
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "cadaujac.example.org",
        "SMS_SEND_CONCURRENCY": "beaucoup",
    }

    result = manage(checkout, "check", env=env)

    assert result.returncode != 0
    assert "SMS_SEND_CONCURRENCY='beaucoup' is not a whole number" in result.stderr


def test_quiet_hours_follow_the_time_zone_the_deployment_names(checkout):
    env = {"SECRET_KEY": SECRET_KEY, "ALLOWED_HOSTS": "cadaujac.example.org"}

    [paris] = read_settings(checkout, "QUIET_HOURS['TIME_ZONE']", env=env)
    [noumea] = read_settings(
        checkout,
        "QUIET_HOURS['TIME_ZONE']",
        env={**env, "QUIET_HOURS_TIME_ZONE": "Pacific/Noumea"},
    )
    mistyped = manage(checkout, "check", env={**env, "QUIET_HOURS_TIME_ZONE": "Pacific/Noume"})

    assert (paris, noumea) == ("'Europe/Paris'", "'Pacific/Noumea'")
    assert mistyped.returncode != 0
    assert "QUIET_HOURS_TIME_ZONE='Pacific/Noume' is not a time zone" in mistyped.stderr


# --- Integrations: half a configuration stops the process rather than the first alert --------


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": "AC0", "TWILIO_AUTH_TOKEN": "t"},
            "SMS_BACKEND=twilio needs TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER",
        ),
        ({"VAPID_PUBLIC_KEY": "BPublic"}, "VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together"),
    ],
)
def test_a_half_configured_integration_stops_the_process(checkout, given, message):
    env = {"SECRET_KEY": SECRET_KEY, "ALLOWED_HOSTS": "cadaujac.example.org", **given}

    result = manage(checkout, "check", env=env)

    assert result.returncode != 0
    assert message in result.stderr
