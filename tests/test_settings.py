"""The same settings entry point becomes production with DEBUG=false, and refuses to start bare."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-for-the-deploy-check-only-" + "x7Qm9vR2tL8pZ4wN6bY1cF5hJ3dS0gK",
    "ALLOWED_HOSTS": "cadaujac.example.org,.example.org",
}


# Variables of the test harness itself that a real deployment does not have.
HARNESS_VARIABLES = ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")


def run_manage(*args, env_extra=None, drop=()):
    env = {k: v for k, v in os.environ.items() if k not in (*drop, *HARNESS_VARIABLES)}
    env.update(env_extra or {})
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deploy_check_without_any_warning():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra=PRODUCTION,
        drop=("SECURE_SSL_REDIRECT",),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage(
        "check",
        env_extra={**PRODUCTION, "SECRET_KEY": ""},
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", env_extra={**PRODUCTION, "ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_passwords_are_hashed_with_argon2_outside_tests():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])",
        env_extra=PRODUCTION,
    )
    assert result.stdout.strip().splitlines()[-1] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )
