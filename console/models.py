"""Tenants, people, machine identities and the tamper-evident audit log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.timezone import now as utc_now


class VendorRole(models.TextChoices):
    NONE = "", "Not vendor staff"
    SUPPORT_ENGINEER = "support_engineer", "Support engineer"
    SUPPORT_LEAD = "support_lead", "Support lead"
    RELEASE_ENGINEER = "release_engineer", "Release engineer"


class User(AbstractUser):
    """A person who signs in. Tenant users act through Memberships; vendor staff carry a vendor role
    and are members of no tenant: they reach a tenant only through a support grant."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vendor_role = models.CharField(max_length=32, choices=VendorRole.choices, blank=True, default="")
    timezone = models.CharField(
        max_length=64, blank=True, default="", help_text="IANA zone; blank = tenant's"
    )

    @property
    def is_vendor_staff(self) -> bool:
        return bool(self.vendor_role)


class Tenant(models.Model):
    """An enterprise customer: owns hosts, groups, policies, rings and its own audit chain."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=63, unique=True)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC", help_text="IANA zone used to show times")
    require_2fa = models.BooleanField(default=False, help_text="Every member must use two-factor sign-in")
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    OPERATOR = "operator", "Operator"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    """A user's role in one tenant."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_unique_user_per_tenant")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.tenant} as {self.role}"


class ApiScope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Write"
    PAUSE = "pause", "Pause / operate"
    ADMIN = "admin", "Admin"
    VENDOR = "vendor", "Vendor release engineering"
    TELEMETRY = "telemetry", "Telemetry ingest"


class ApiClient(models.Model):
    """A machine identity: a tenant's automation (tenant set) or the vendor's (tenant empty).

    The token is shown once; only its SHA-256 is stored, found by its public ``prefix``.
    """

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, null=True, blank=True, related_name="api_clients"
    )
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    scopes = ArrayField(models.CharField(max_length=16, choices=ApiScope.choices), default=list)
    allowed_ips = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    rate_limit_per_minute = models.PositiveIntegerField(
        null=True, blank=True, help_text="Requests per minute; blank = the API_RATE_LIMIT default"
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def is_active(self, now: datetime | None = None) -> bool:
        now = now or utc_now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class ActorKind(models.TextChoices):
    USER = "user", "User"
    API_CLIENT = "api_client", "API client"
    SUPPORT = "support", "Vendor support on behalf of tenant"
    SYSTEM = "system", "System"


class AuditEvent(models.Model):
    """One mutation, append-only. Each row carries the hash of its tenant's previous row, so an edit
    or deletion anywhere in the chain is detectable (``manage.py audit_verify``). The database
    refuses UPDATE and DELETE on this table (trigger in the migration)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    id = models.BigAutoField(primary_key=True)
    seq = models.BigIntegerField(help_text="Position in the tenant's chain, from 1")
    created_at = models.DateTimeField(default=utc_now)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor_id = models.CharField(max_length=64, blank=True, default="")
    actor_label = models.CharField(max_length=200, blank=True, default="")
    grant_id = models.UUIDField(null=True, blank=True, help_text="Support grant the actor acted under")
    action = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80, blank=True, default="")
    target_id = models.CharField(max_length=64, blank=True, default="")
    target_label = models.CharField(max_length=200, blank=True, default="")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True, default="")
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True, default="")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering: ClassVar[list[str]] = ["-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "-created_at"], name="audit_tenant_time"),
            models.Index(fields=["tenant", "action"], name="audit_tenant_action"),
            models.Index(fields=["tenant", "target_type", "target_id"], name="audit_tenant_target"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["tenant", "seq"], name="audit_unique_seq_per_tenant", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"


class SupportScope(models.TextChoices):
    READ = "read", "Read only"
    OPERATE = "operate", "Read and operate"


class SupportGrant(models.Model):
    """A tenant's permission for one vendor staff member to see (and maybe operate) the tenant
    until ``expires_at``; checked on every request and websocket message, revocable at any time."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="support_grants")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    staff = models.ForeignKey(User, on_delete=models.CASCADE, related_name="support_grants")
    scope = models.CharField(max_length=16, choices=SupportScope.choices, default=SupportScope.READ)
    case_id = models.CharField(max_length=64, blank=True, default="")
    reason = models.TextField()
    starts_at = models.DateTimeField(default=utc_now)
    expires_at = models.DateTimeField()
    approved_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    break_glass = models.BooleanField(default=False, help_text="Self-granted by a support lead; read only")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    ended_announced_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the end (expiry or revocation) was audited and pushed to sockets",
    )
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.staff} -> {self.tenant} ({self.scope}) until {self.expires_at:%Y-%m-%d %H:%M}"

    def is_active(self, now: datetime | None = None) -> bool:
        now = now or utc_now()
        return self.revoked_at is None and self.starts_at <= now < self.expires_at


class Invitation(models.Model):
    """An expiring, single-use link that makes whoever opens it (with the invited e-mail) a member.

    Only the SHA-256 of the link's secret is stored."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invitations")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} as {self.role}"

    @property
    def status(self) -> str:
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= utc_now():
            return "expired"
        return "pending"


class SupportRequestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    EXPIRED = "expired", "Expired unanswered"


class SupportRequest(models.Model):
    """A vendor staff member asking a tenant for access; a grant exists only once a tenant
    owner/admin approves. Unanswered requests expire after ``answer_by``."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="support_requests")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    staff = models.ForeignKey(User, on_delete=models.CASCADE, related_name="support_requests")
    scope = models.CharField(max_length=16, choices=SupportScope.choices, default=SupportScope.READ)
    case_id = models.CharField(max_length=64)
    reason = models.TextField()
    duration_hours = models.PositiveSmallIntegerField(default=4)
    status = models.CharField(
        max_length=16, choices=SupportRequestStatus.choices, default=SupportRequestStatus.PENDING
    )
    answer_by = models.DateTimeField()
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    grant = models.OneToOneField(
        SupportGrant, on_delete=models.SET_NULL, null=True, blank=True, related_name="request"
    )
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.staff} asks {self.tenant} for {self.scope} ({self.case_id})"


class Notification(models.Model):
    """One event the tenant was told about live (a halt, a recall, a pause, sync failing...), kept so
    the notification centre still lists it after a reload. Read state is the tenant's, shared by its
    members: once someone on call has read it, the bell stops counting it for everyone."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="notifications")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    link = models.CharField(max_length=200, blank=True)
    severity = models.CharField(max_length=16, default="danger")
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=utc_now)
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "-created_at"], name="notification_tenant_recent"),
            models.Index(
                fields=["tenant"], name="notification_tenant_unread", condition=models.Q(read_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant}: {self.title}"
