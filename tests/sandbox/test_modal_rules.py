"""Modals as Discord checks them, beyond titles and labels: inputs' custom ids must differ (a submission names each
input by it), a maximum length is at least 1; the review form itself passes."""

from __future__ import annotations

from bot.domain.reviews import REVIEW_FIELDS
from bot.sandbox import rules


def text_input(custom_id: str, **extra: object) -> dict[str, object]:
    return {"type": 4, "custom_id": custom_id, "label": "Label", "style": 2, **extra}


def modal(*inputs: dict[str, object]) -> dict[str, object]:
    return {"title": "Form", "custom_id": "form", "components": [{"type": 1, "components": [i]} for i in inputs]}


def test_two_inputs_with_one_custom_id_are_refused():
    problems = rules.check_modal(modal(text_input("a"), text_input("b"), text_input("a")))
    assert [(p.code, p.message) for p in problems] == [("COMPONENT_CUSTOM_ID_DUPLICATED", "Duplicate custom_id: a")]


def test_a_maximum_length_of_zero_or_past_4000_is_refused():
    problems = rules.check_modal(modal(text_input("a", max_length=0), text_input("b", max_length=4001)))
    assert [(p.path[-1], p.code) for p in problems] == [
        ("max_length", "NUMBER_TYPE_MIN"),
        ("max_length", "NUMBER_TYPE_MAX"),
    ]
    assert rules.check_modal(modal(text_input("a", min_length=0, max_length=1))) == []


def test_the_review_form_is_within_every_rule():
    inputs = [
        text_input(
            f.custom_id, label=f.label, max_length=f.max_length, min_length=f.min_length, placeholder=f.placeholder
        )
        for f in REVIEW_FIELDS
    ]
    assert rules.check_modal({**modal(*inputs), "title": "Review: The Trauma Code: Heroes On Call"}) == []
