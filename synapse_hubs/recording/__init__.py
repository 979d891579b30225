# SPDX-License-Identifier: AGPL-3.0-or-later
"""Meeting recording: policy, notices, control of the SFU recorder, access to the files."""
