#!/usr/bin/python3
# A scripted LightDM greeter for the VM scenarios (issue 12), run by the real
# lightdm daemon as its greeter session (user lightdm) through liblightdm
# (gir1.2-lightdm-1). It types what a user would: it waits for a request file
# DIR/login ("USER\nPASSWORD\nSESSION\n", written by the scenario), removes
# it, answers lightdm's PAM prompts with it and starts the session. Every
# step goes to DIR/greeter.log for the scenario to wait on, "greeter ready"
# with lightdm's lock-screen and select-user hints.
# Usage (the greeter's .desktop Exec line): ect-greeter.py DIR
import os
import sys

import gi

gi.require_version("LightDM", "1")
from gi.repository import GLib, LightDM  # noqa: E402

DIR = sys.argv[1]
greeter = LightDM.Greeter()
request = {}


def log(msg):
    with open(os.path.join(DIR, "greeter.log"), "a") as f:
        f.write(msg + "\n")


def on_prompt(g, text, prompt_type):
    log("prompt " + text.strip())
    if prompt_type == LightDM.PromptType.SECRET:
        g.respond(request["password"])
    else:
        g.respond(request["user"])


def on_message(g, text, message_type):
    log("message " + text.strip())


def on_complete(g):
    if not g.get_is_authenticated():
        log("authentication failed for " + request["user"])
        GLib.timeout_add(200, poll)
        return
    log("authenticated " + g.get_authentication_user())
    try:
        g.start_session_sync(request["session"])
    except GLib.Error as e:
        log("start_session failed: " + e.message)
        GLib.timeout_add(200, poll)
        return
    log("session started")


def poll():
    path = os.path.join(DIR, "login")
    try:
        with open(path) as f:
            lines = f.read().split("\n")
    except FileNotFoundError:
        return True
    os.unlink(path)
    request.update(user=lines[0], password=lines[1], session=lines[2])
    log("login " + request["user"])
    greeter.authenticate(request["user"])
    return False


greeter.connect("show-prompt", on_prompt)
greeter.connect("show-message", on_message)
greeter.connect("authentication-complete", on_complete)
greeter.connect_to_daemon_sync()
# lightdm's hints: a greeter started by `dm-tool lock` has lock-screen set
hints = ""
if greeter.get_lock_hint():
    hints += " lock-screen"
if greeter.get_select_user_hint():
    hints += " select-user=" + greeter.get_select_user_hint()
log("greeter ready" + hints)
GLib.timeout_add(200, poll)
GLib.MainLoop().run()
