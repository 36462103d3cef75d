"""The short key a citizen tracks a dossier with must be one no other dossier has: the check
rides with the receipt's counter upsert, and a drawn key that is taken is drawn again."""

from __future__ import annotations

from sqlalchemy import select

from engine.dossiers.lookup import _KEY_TAKEN
from engine.dossiers.lookup import KEY_ALPHABET
from engine.dossiers.lookup import KEY_LENGTH
from engine.dossiers.lookup import KeyDraw
from engine.models import Dossier
from tests.background import receive


def test_a_new_dossier_gets_a_key_of_the_printed_alphabet(new_uow, actor):
    dossier = receive(new_uow, actor("tiepnhan1"), "newborn_bundle")
    with new_uow() as uow:
        key = uow.session.scalar(select(Dossier.lookup_key).where(Dossier.id == dossier.id))

    assert len(key) == KEY_LENGTH
    assert set(key) <= set(KEY_ALPHABET)


def test_a_drawn_key_another_dossier_has_is_drawn_again(new_uow, actor):
    dossier = receive(new_uow, actor("tiepnhan1"), "newborn_bundle")
    with new_uow() as uow:
        taken = uow.session.scalar(select(Dossier.lookup_key).where(Dossier.id == dossier.id))
    with new_uow() as uow:
        uow.begin_write()
        draw = KeyDraw(uow, taken, uow.read_along(_KEY_TAKEN, {"key": taken}))
        uow.session.execute(select(Dossier.id).limit(1))  # the statement the check rides with
        confirmed = draw.confirmed()

    assert confirmed != taken
    assert len(confirmed) == KEY_LENGTH
