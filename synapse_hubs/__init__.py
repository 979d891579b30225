# SPDX-License-Identifier: AGPL-3.0-or-later
"""Hubs: meeting policy, guest links and the SFU token service as Synapse modules.

Load it from homeserver.yaml::

    modules:
      - module: synapse_hubs.HubsModule
        config: {...}
"""

from synapse_hubs.module import HubsModule

__all__ = ["HubsModule"]
