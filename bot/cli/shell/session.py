"""One shell session: who acts where, the form being filled in, what each typed line does."""

from __future__ import annotations

import asyncio
import difflib
from dataclasses import dataclass

from bot import render
from bot.bootstrap import Components
from bot.cli.shell.compose import compose, slack_id
from bot.cli.shell.lines import Key, LineSource
from bot.cli.shell.screen import FormSession, Screen, ShellReplier
from bot.render import Message
from bot.service import Request

SHELL_USER = "USHELL"
SHELL_CHANNEL = "CSHELL"
QUIT = frozenset({"quit", "exit", "/quit", ":quit"})
#: ``:as`` and ``:in``: the id letters they take, what they name, an example
_MOVES = {
    ":as": ("UW", "user", "U0BOB (the shell knows ids, not names)"),
    ":in": ("CGD", "channel", "C0OPS (D… for a direct message)"),
}


HELP = """\
The shell's own commands:
  :as <user>      act as another Slack user, e.g. :as U0BOB (alone: who you are)
  :in <channel>   act in another channel, e.g. :in C0OPS (a D… id is a direct message)
  :cancel         leave the form being filled in (Ctrl-C or Ctrl-D at its prompt, too)
  :help           this list
  home            your Home tab
  <number>        click that button of the latest message that has buttons
  quit            leave (Ctrl-D)
Anything else is an /astra command (the /astra is optional): /astra help lists yours.
@U…, @S… and #C… are sent as Slack sends mentions."""


async def wait_idle(components: Components, limit_s: float) -> bool:
    """Wait until no operation is pending and no notice is undelivered."""
    deadline = asyncio.get_running_loop().time() + limit_s
    while asyncio.get_running_loop().time() < deadline:
        pending = await components.store.pending_operations(limit=1)
        notices = await components.store.pending_notice_count()
        if not pending and not notices:
            return True
        components.watcher.wake()
        await asyncio.sleep(0.05)
    return False


@dataclass(frozen=True)
class Pace:
    """How lines are taken: as a script (echoed, each waiting for what it started, up to
    ``op_timeout`` seconds when ``wait``) or as typed by a person."""

    script: bool
    wait: bool
    op_timeout: float


class Shell:
    """One session: who acts where, the form being filled in, what each line does."""

    def __init__(
        self, components: Components, screen: Screen, pace: Pace, *, user: str, channel: str
    ) -> None:
        self.components, self.screen, self.pace = components, screen, pace
        self.replier = ShellReplier(screen)
        self.user, self.channel = user, channel
        self.home_place = (user, channel)

    async def idle(self) -> bool:
        """Wait (bounded) for what the lines started; False when it is still running."""
        return await wait_idle(self.components, self.pace.op_timeout)

    @property
    def where(self) -> str:
        return f"@{self.user} in #{self.channel.lower()}"

    def prompt(self) -> str:
        if self.screen.form is not None:
            return self.screen.form.prompt()
        if (self.user, self.channel) == self.home_place:
            return "astra> "
        return f"astra {self.where.replace(' in ', ' ')}> "

    def request(self) -> Request:
        return Request(
            user_id=self.user,
            channel_id=self.channel,
            is_dm=self.channel.startswith("D"),
            source="shell",
        )

    async def run(self, source: LineSource) -> None:
        quitting = False  # Ctrl-D was pressed once with operations in progress
        while True:
            got = await source.read(self.prompt(), form=self.screen.form is not None)
            line = got.strip() if isinstance(got, str) else got
            if self.screen.form is not None and line in (Key.EOF, Key.INTERRUPT):
                self.cancel_form()  # Ctrl-C / Ctrl-D at a form's prompt; the input's end
                if self.pace.script:
                    break
                continue
            if line is Key.INTERRUPT:  # Ctrl-C: the line is dropped, as in a shell
                quitting = False
                continue
            if line is Key.EOF or line in QUIT:
                if self.pace.script and isinstance(line, str):
                    self.screen.say(f"astra> {line}")
                if self.pace.script or quitting or not await self.tell_still_running():
                    break
                quitting = True
                continue
            assert isinstance(line, str)
            quitting = False
            await self.line(line)
        if self.pace.script and not (self.pace.wait and await self.idle()):
            await self.tell_still_running(ending=True)

    async def line(self, line: str) -> None:
        form = self.screen.form
        if form is not None:
            if self.pace.script:
                self.screen.say(f"{form.prompt()}{line}")
            if line.startswith(":"):
                await self.shell_command(line, in_form=True)
                return
            await self.form_line(form, line)
            if self.screen.form is None:
                await self.settle()
            return
        if not line or line.startswith("#"):  # a comment, in a script
            return
        if self.pace.script:
            self.screen.say(f"{self.prompt()}{line}")
        if line.startswith(":"):
            await self.shell_command(line)
            return
        service = self.components.service
        req = self.request()
        if line == "home":
            view = await service.home(self.user)
            self.screen.show("(home) ", Message(text="Home", blocks=tuple(view["blocks"])))
        elif line.isdigit():
            n = int(line)
            if not 1 <= n <= len(self.screen.choices):
                self.screen.say(f"There is no choice {n}.")
                return
            ch = self.screen.choices[n - 1]
            await service.handle_action(req, ch.action_id, ch.value, None, self.replier)
        else:
            text = line[len("/astra") :] if line.startswith("/astra") else line
            text = text[len("astra ") :] if text.startswith("astra ") else text
            await service.handle_command(req, compose(text), self.replier)
        await self.settle()

    async def settle(self) -> None:
        """Let the watcher look now; a script also waits for what the line started."""
        self.components.watcher.wake()
        if self.pace.script and self.pace.wait:
            await self.idle()

    async def form_line(self, session: FormSession, line: str) -> None:
        """Feed one answer to the form; submit it once every field has one."""
        service = self.components.service
        req = self.request()
        redraws = session.field.redraws
        problem = session.answer(line)
        if problem:
            self.screen.say(f"  {problem}")
            return
        if redraws:  # e.g. the cloud changed: the region choices follow it
            session.form = await service.create_form(req, session.values)
        if not session.done:
            return
        errors = await service.form_errors(session.form.callback_id, session.values)
        if errors:
            for name, msg in errors.items():
                self.screen.say(f"  {name}: {msg}")
            session.index = next(i for i, f in enumerate(session.form.fields) if f.name in errors)
            return
        self.screen.form = None
        await service.submit_form(req, session.form.callback_id, session.values, self.replier)

    def cancel_form(self) -> None:
        if self.screen.form is not None:
            title = self.screen.form.form.title
            self.screen.form = None
            self.screen.say(f"(only you) Left the form “{title}”: nothing was done.")

    async def shell_command(self, line: str, *, in_form: bool = False) -> None:
        word, _, arg = line.partition(" ")
        arg = arg.strip()
        if word == ":cancel":
            if in_form:
                self.cancel_form()
            else:
                self.screen.say("There is no form to leave.")
        elif word == ":help":
            self.screen.say(HELP)
        elif in_form:
            self.screen.say(f"`{word}` waits until the form is done; :cancel leaves it.")
        elif word in _MOVES:
            self.move(word, arg)
        else:
            known = [":as", ":in", ":cancel", ":help"]
            near = difflib.get_close_matches(word, known, n=1, cutoff=0.5)
            self.screen.say(
                f"`{word}` is not a shell command (they are {', '.join(known)})."
                + (f" Did you mean `{near[0]}`?" if near else "")
            )

    def move(self, word: str, arg: str) -> None:
        """``:as <user>`` or ``:in <channel>``; alone, says who and where you are."""
        kinds, what, example = _MOVES[word]
        if arg:
            found = slack_id(arg, kinds)
            if found is None:
                self.screen.say(f"`{arg}` is not a Slack {what} id: type one such as {example}.")
                return
            if word == ":as":
                self.user = found
            else:
                self.channel = found
        if word == ":as":
            self.screen.say(f"You are @{self.user} now, in #{self.channel.lower()}.")
        else:
            self.screen.say(f"You are in #{self.channel.lower()} now, as @{self.user}.")

    async def tell_still_running(self, *, ending: bool = False) -> bool:
        """Name the operations still in progress; False if there are none."""
        service = self.components.service
        ops = await service.in_progress(limit=10)
        if not ops:
            return False
        now = service.clock()
        lines = "\n".join("  " + render.mrkdwn_text(render.in_progress_line(op, now)) for op in ops)
        tail = (
            "The input ended; this shell will not see how they end."
            if ending
            else "Ctrl-D again quits now (this shell will not see how they end); "
            "or wait here for their notices."
        )
        self.screen.say(f"Still running:\n{lines}\n{tail}")
        return True
