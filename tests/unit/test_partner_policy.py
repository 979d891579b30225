# SPDX-License-Identifier: AGPL-3.0-or-later
"""The partner list: parsing, backwards compatibility, and who it lets in."""

import asyncio
from types import SimpleNamespace

import pytest
from synapse.module_api.errors import ConfigError, SynapseError

from synapse_hubs.config import parse_config
from synapse_hubs.federation.partner_policy import PartnerPolicy
from tests.unit.test_config import VALID, with_option


def policy(*partners: str) -> PartnerPolicy:
    config = parse_config(with_option("federation", "partners", list(partners))).federation
    return PartnerPolicy(SimpleNamespace(server_name="hubs.kommun.example"), config)


def member_event(sender: str, target: str, membership: str) -> SimpleNamespace:
    return SimpleNamespace(type="m.room.member", sender=sender, room_id="!room",
                           event_id="$event", content={"membership": membership},
                           get_state_key=lambda: target)


def test_no_partners_by_default():
    assert parse_config(VALID).federation.partners == frozenset()


def test_legacy_openid_urls_count_as_partners():
    raw = with_option("token_service", "partner_openid_base_urls",
                      {"hubs.region.example": "https://hubs.region.example/"})
    raw["federation"] = {"partners": ["hubs.other.example"]}

    federation = parse_config(raw).federation

    assert federation.partners == {"hubs.region.example", "hubs.other.example"}
    assert federation.openid_base_urls == {"hubs.region.example": "https://hubs.region.example"}


@pytest.mark.parametrize("partners, index", [
    (["https://hubs.example"], "0"), (["ok.example", ""], "1"), (["a b"], "0"), ([7], "0"),
])
def test_invalid_partner_names_name_the_entry(partners, index):
    with pytest.raises(ConfigError) as error:
        parse_config(with_option("federation", "partners", partners))
    assert tuple(error.value.path) == ("federation", "partners", index)


def test_partners_must_be_a_list():
    with pytest.raises(ConfigError) as error:
        parse_config(with_option("federation", "partners", "hubs.example"))
    assert tuple(error.value.path) == ("federation", "partners")


def test_server_names_with_ports_and_addresses_are_accepted():
    federation = parse_config(with_option(
        "federation", "partners", ["127.0.0.1:8448", "[::1]:8448", "hubs.example"])).federation
    assert "127.0.0.1:8448" in federation.partners


def test_own_and_partner_users_allowed_others_not():
    partners = policy("hubs.region.example")

    assert partners.allows_user("@anna:hubs.kommun.example")
    assert partners.allows_user("@bertil:hubs.region.example")
    assert not partners.allows_user("@cecilia:hubs.other.example")
    assert not partners.allows_user("not-a-user-id")


def test_invites_refused_in_both_directions():
    partners = policy("hubs.region.example")

    asyncio.run(partners.user_may_invite("@anna:hubs.kommun.example",
                                         "@bertil:hubs.region.example", "!room"))
    for inviter, invitee in (("@anna:hubs.kommun.example", "@cecilia:hubs.other.example"),
                             ("@cecilia:hubs.other.example", "@anna:hubs.kommun.example")):
        with pytest.raises(SynapseError) as error:
            asyncio.run(partners.user_may_invite(inviter, invitee, "!room"))
        assert error.value.code == 403
        assert "hubs.other.example is not a partner" in error.value.msg


@pytest.mark.parametrize("membership", ["join", "knock", "invite"])
def test_membership_events_of_strangers_refused(membership):
    partners = policy("hubs.region.example")
    stranger = "@cecilia:hubs.other.example"
    sender = stranger if membership != "invite" else "@anna:hubs.kommun.example"

    with pytest.raises(SynapseError):
        asyncio.run(partners.check_event_allowed(member_event(sender, stranger, membership), {}))


def test_leaving_is_always_allowed():
    partners = policy()
    stranger = "@cecilia:hubs.other.example"

    allowed = asyncio.run(partners.check_event_allowed(member_event(stranger, stranger, "leave"),
                                                       {}))

    assert allowed == (True, None)


def test_federated_events_of_strangers_dropped():
    partners = policy("hubs.region.example")

    assert not asyncio.run(partners.should_drop_federated_event(
        member_event("@bertil:hubs.region.example", "", "join")))
    assert asyncio.run(partners.should_drop_federated_event(
        member_event("@cecilia:hubs.other.example", "", "join")))


def test_join_to_stranger_room_refused_by_room_id():
    partners = policy("hubs.region.example")

    with pytest.raises(SynapseError):
        asyncio.run(partners.user_may_join_room("@anna:hubs.kommun.example",
                                                "!old:hubs.other.example", False))
    for room_id in ("!old:hubs.region.example", "!old:hubs.kommun.example",
                    "!PLQU0GxHET2SL42Av_y3Ff0eBNRtVJXpaee_4TcrKxk"):
        allowed = asyncio.run(partners.user_may_join_room("@anna:hubs.kommun.example",
                                                          room_id, False))
        assert allowed == "NOT_SPAM", room_id
