# SPDX-License-Identifier: AGPL-3.0-or-later
"""Per-meeting e-ID policy: who must verify, with which methods, at which level.

A meeting stores its policy in the state event `se.hubs.eid_policy`
(state_key ""), for example::

    {"required_for": "external", "methods": ["bankid", "freja"], "min_loa": "loa3"}

A meeting room (one with `se.hubs.meeting` state) without that event uses
the server default from the module config. Rooms that are not meetings
require no e-ID unless they carry the policy event themselves.
"""

from dataclasses import dataclass
from typing import Any, Mapping

from synapse_hubs.eid.assurance import DEFAULT_MIN_LOA, LEVELS, METHODS, meets_minimum

REQUIRED_FOR_VALUES = ("nobody", "external", "everyone")


class PolicyError(ValueError):
    """Policy content is invalid; the message names the field and the allowed values."""


@dataclass(frozen=True)
class EidPolicy:
    required_for: str = "external"
    methods: tuple[str, ...] = ("bankid",)
    min_loa: str = DEFAULT_MIN_LOA

    def applies_to(self, is_external: bool) -> bool:
        """Return True when a participant of this kind must verify."""
        if self.required_for == "everyone":
            return True
        return self.required_for == "external" and is_external

    def accepts(self, method: str, loa: str) -> bool:
        """Return True when a verification by `method` at `loa` satisfies this policy."""
        return method in self.methods and meets_minimum(loa, self.min_loa)

    def to_content(self) -> dict[str, Any]:
        return {
            "required_for": self.required_for,
            "methods": list(self.methods),
            "min_loa": self.min_loa,
        }


NO_REQUIREMENT = EidPolicy(required_for="nobody", methods=(), min_loa=DEFAULT_MIN_LOA)


def parse_policy(content: Mapping[str, Any]) -> EidPolicy:
    """Validate the content of a `se.hubs.eid_policy` event, or raise PolicyError."""
    if not isinstance(content, Mapping):
        raise PolicyError("policy content must be a JSON object")

    required_for = content.get("required_for", "external")
    if required_for not in REQUIRED_FOR_VALUES:
        raise PolicyError(f"required_for must be one of {', '.join(REQUIRED_FOR_VALUES)}")

    methods = content.get("methods", ["bankid"])
    if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
        raise PolicyError("methods must be a list of strings")
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        raise PolicyError(
            f"methods contains unknown {', '.join(unknown)}; allowed: {', '.join(METHODS)}"
        )
    if required_for != "nobody" and not methods:
        raise PolicyError("methods must name at least one method when e-ID is required")

    min_loa = content.get("min_loa", DEFAULT_MIN_LOA)
    if min_loa not in LEVELS:
        raise PolicyError(f"min_loa must be one of {', '.join(LEVELS)}")

    # Keep the order of METHODS, so equal policies compare equal.
    ordered = tuple(m for m in METHODS if m in methods)
    return EidPolicy(required_for=required_for, methods=ordered, min_loa=min_loa)


def policy_from_request(raw: Mapping[str, Any], server_policy: EidPolicy) -> EidPolicy:
    """Complete a policy an API request asked for, or raise PolicyError.

    The server's methods and level fill the gaps, so a page can ask for
    "external participants" without knowing which providers exist.
    """
    if not isinstance(raw, Mapping):
        raise PolicyError("must be a JSON object")

    content = {
        "methods": list(server_policy.methods) or ["bankid"],
        "min_loa": server_policy.min_loa,
        **raw,
    }
    return parse_policy(content)
