"""staffterm's configuration file: where it is, what it may say, and how it is checked.

The file is TOML, at ``<user config dir>/staffterm/config.toml`` unless ``--config PATH`` or the
``STAFFTERM_CONFIG`` environment variable names another. Without a file staffterm opens the
built-in demo site (one tenant, ``demo``, on the embedded ``local`` backend). Unknown keys are
errors, so a typo is reported instead of silently ignored. Every key is optional unless noted::

    default_tenant = "demo"          # defaults to the first tenant, or "demo"

    [ui]
    theme = "staffterm-dark"         # name of a theme
    refresh_seconds = 60             # 5..3600
    day_start = "07:00"              # the timeline's working day (HH:MM, 24-hour)
    day_end = "19:00"
    clock_24h = true
    building = "bld-lon"             # default building zone id
    [ui.keymap]                      # binding id -> key(s), as Textual's set_keymap takes them
    "book-room" = "f6"

    [kiosk]
    mode = "lobby"                   # lobby | room
    building = "bld-lon"
    room = "rm-lon-1-01"             # required for mode = "room"
    idle_seconds = 60                # back to the welcome screen after this long idle
    pin = { env = "STAFFTERM_KIOSK_PIN" }   # a secret: the admin PIN that unlocks the kiosk
    pin_hash = "scrypt$..."          # or its salted hash, written by `staffterm kiosk set-pin` (wins)
    privacy = "private"              # panel titles: "private" masks all, "titles" masks private ones
    notice_text = ""                 # house rules / NDA a guest accepts before checking in
    notice_version = "1"             # stored with the visit when accepted
    checkin_before_minutes = 5       # a room meeting's check-in window around its start
    checkin_after_minutes = 10
    auto_release_minutes = 10        # release a meeting nobody checked in to (0: never)
    exempt_rooms = ["rm-lon-4-01"]   # rooms whose meetings are never released
    pass_seconds = 20                # how long the guest's pass stays on screen

    [mail]
    sender = "reception@acme.example"    # From address of notification mails (optional)
    [mail.templates.visitor.checkin] # overrides of the default mail templates (%{key} placeholders)
    subject = "%{name} has arrived"  # parts: subject, text, html
    text = "for your meeting at %{time}"     # an empty table switches a template off

    [tenants.demo]                   # one table per tenant; the name is what --tenant takes
    provider = "local"
    database = "/path/to/file.sqlite3"   # default: <tenant>.sqlite3 in staffterm's data dir
    demo = true                      # seed a demo estate on first run
    early_checkin_seconds = 3600     # how long before a booking starts check-in opens
    booking_limits = { desk = 1 }    # booking type -> most active bookings per person
    mailer_from = "front-desk@acme.example"  # From address of this site's mails (optional)

    [tenants.acme]
    provider = "placeos"
    base_url = "https://acme.placeos.example"     # required
    api_key = { env = "ACME_PLACEOS_KEY" }        # either api_key ...
    # username = "desk@acme.example"              # ... or username + password + client_id
    # password = { command = "pass show placeos" }
    # client_id = "..."; client_secret = { ... }; redirect_uri = "https://..."
    verify_tls = true
    timeout_seconds = 30
    max_in_flight = 10

    [tenants.m365]
    provider = "graph"
    tenant_id = "..."                # required
    client_id = "..."                # required
    client_secret = { file = "~/.config/staffterm/graph.secret" }   # required
    authority_host = "https://login.microsoftonline.com"   # national clouds: login.microsoftonline.us, ...
    graph_url = "https://graph.microsoft.com"
    mailer_from = "reception@contoso.example"
    rate_limit = 0                   # requests per second, 0 = unlimited
    max_in_flight = 4
    queue_size = 100
    room_list = "rooms-london@contoso.example"

    [tenants.gw]
    provider = "google"
    domain = "acme.example"
    service_account_email = "staffterm@project.iam.gserviceaccount.com"   # required
    private_key = { file = "~/.config/staffterm/gw.pem" }                 # required
    service_user = "admin@acme.example"      # required: the user the service account acts as
    scopes = ["https://www.googleapis.com/auth/calendar", ...]            # has sensible defaults
    user_agent = "staffterm"
    calendar_url = "https://www.googleapis.com/calendar/v3"               # endpoints, for test servers
    directory_url = "https://admin.googleapis.com/admin/directory/v1"
    token_url = "https://oauth2.googleapis.com/token"
    rate_limit = 0
    max_in_flight = 10

Tenant names use letters, digits, ``-`` and ``_``. Relative paths (``database``, secret
``file``s) are relative to the config file. Every remote tenant also takes ``verify_tls``, ``timeout_seconds``, ``rate_limit``,
``max_in_flight`` and ``queue_size``. Secrets (``api_key``, ``password``, ``client_secret``,
``private_key``, ``kiosk.pin``) are given by reference (``{ env = ... }``, ``{ command = ... }``,
``{ file = ... }``) or inline, and inline only in a file that only its owner can read
(``chmod 600``). See ``staffterm.secrets``.
"""

from __future__ import annotations

from staffterm.config.checks import ConfigProblem, check_config, config_to_display_dict, file_mode
from staffterm.config.editing import add_tenant, remove_tenant
from staffterm.config.loading import (
    CONFIG_ENV,
    CONFIG_FILE_NAME,
    config_path,
    default_config_file,
    load_config,
    parse_config_text,
)
from staffterm.config.models import (
    DEMO_TENANT,
    Config,
    KioskConfig,
    MailConfig,
    TenantConfig,
    TenantSettings,
    UiConfig,
    default_config,
)
from staffterm.config.providers import (
    GOOGLE_DEFAULT_SCOPES,
    GoogleSettings,
    GraphSettings,
    LocalSettings,
    PlaceOSSettings,
)
from staffterm.secrets import SecretRef

__all__ = [
    "CONFIG_ENV",
    "CONFIG_FILE_NAME",
    "DEMO_TENANT",
    "GOOGLE_DEFAULT_SCOPES",
    "Config",
    "ConfigProblem",
    "GoogleSettings",
    "GraphSettings",
    "KioskConfig",
    "LocalSettings",
    "MailConfig",
    "PlaceOSSettings",
    "SecretRef",
    "TenantConfig",
    "TenantSettings",
    "UiConfig",
    "add_tenant",
    "check_config",
    "config_path",
    "config_to_display_dict",
    "default_config",
    "default_config_file",
    "file_mode",
    "load_config",
    "parse_config_text",
    "remove_tenant",
]
