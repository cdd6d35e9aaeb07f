"""Modal inputs that several forms share, each builder beside the reader of its value.

Slack sends a submitted modal's values as `state.values[block_id][action_id]`,
shaped by element type. Every input here uses its block id as its action id,
so a reader needs only the block id the builder was given.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)

from bot.services.partners import HIDDEN_SIDE
from bot.views.text import Limit, plain
from storage.models import Role

Values = dict[str, dict[str, Any]]

ROLE = "role"
ANONYMOUS = "anonymous"

# How each side reads in a form: whose view the answer gives.
ROLE_LABELS = {
    Role.MANAGEMENT: "Management",
    Role.STAFF: "Staff",
    Role.UNION: "Trade union",
    Role.SERVICE_USER: "Service user (their words, entered by anyone)",
}


def whose_view(side: str) -> str:
    """ "union view", or that the side is kept back (`shown_side`) to keep an answer anonymous."""
    return f"side {side}" if side == HIDDEN_SIDE else f"{side} view"


def side_heading(side: str) -> str:
    """ "The union side", or, for anonymous answers whose side is kept back, say so."""
    if side == HIDDEN_SIDE:
        return "Anonymous answers (their side is not shown, to keep them anonymous)"
    return f"The {side} side"


def option(value: str, label: str) -> Option:
    return Option(value=value, label=plain(label, Limit.OPTION))


def role_input(default: Role | None, *, label: str = "Whose view is this?") -> Block:
    """Every side, `service-user` included for staff entering a service user's words."""
    options = [option(role.value, text) for role, text in ROLE_LABELS.items()]
    initial = options[list(ROLE_LABELS).index(default)] if default is not None else None
    return InputBlock(
        block_id=ROLE,
        label=label,
        element=StaticSelectElement(action_id=ROLE, options=options, initial_option=initial),
    )


def role_in(values: Values) -> Role:
    return Role(selected_in(values, ROLE) or Role.STAFF)


def anonymous_input(label: str) -> Block:
    return InputBlock(
        block_id=ANONYMOUS,
        label="Anonymity",
        optional=True,
        element=CheckboxesElement(action_id=ANONYMOUS, options=[option("yes", label)]),
    )


def anonymous_in(values: Values) -> bool:
    state = values.get(ANONYMOUS, {}).get(ANONYMOUS) or {}
    return bool(state.get("selected_options"))


def text_input(
    block_id: str,
    label: str,
    *,
    optional: bool = False,
    multiline: bool = True,
    hint: str | None = None,
    max_length: int = Limit.INPUT_VALUE,
    initial: str | None = None,
) -> Block:
    return InputBlock(
        block_id=block_id,
        label=plain(label, Limit.FIELD),
        optional=optional,
        hint=plain(hint, Limit.FIELD) if hint else None,
        element=PlainTextInputElement(
            action_id=block_id,
            multiline=multiline,
            max_length=max_length,
            initial_value=plain(initial, max_length) if initial else None,
        ),
    )


def text_in(values: Values, block_id: str) -> str:
    """A text input's value, stripped; empty when it was left blank."""
    state = values.get(block_id, {}).get(block_id) or {}
    return str(state.get("value") or "").strip()


def select_input(
    block_id: str,
    label: str,
    options: list[Option],
    *,
    optional: bool = False,
    initial: Option | None = None,
    hint: str | None = None,
) -> Block:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        hint=plain(hint, Limit.FIELD) if hint else None,
        element=StaticSelectElement(
            action_id=block_id, options=options[:100], initial_option=initial
        ),
    )


def selected_in(values: Values, block_id: str) -> str | None:
    """The chosen option's value of a select, or None when nothing was chosen."""
    chosen = (values.get(block_id, {}).get(block_id) or {}).get("selected_option")
    return str(chosen["value"]) if chosen else None
