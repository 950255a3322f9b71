"""Signing in: password, lockout after repeated failures (per account and per IP), TOTP second
factor (django-otp), password reset. Counters live in Redis so every web process shares them."""

from __future__ import annotations

import hashlib
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from console.access import Actor, client_ip
from console.audit import audit_record
from console.events import USER_TWO_FACTOR_ENABLED
from console.models import User
from console.redis import redis_client
from console.throttling import anonymous_rate_hit

PENDING_USER_KEY = "console_2fa_pending_user"
PENDING_BACKEND_KEY = "console_2fa_pending_backend"
PENDING_NEXT_KEY = "console_2fa_pending_next"


# --- lockout -------------------------------------------------------------------------------------


def _keys(username: str, ip: str | None) -> tuple[str, str]:
    account = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return f"console:login-fail:acct:{account}", f"console:login-fail:ip:{ip or 'unknown'}"


def login_locked_for(username: str, ip: str | None) -> int:
    """Seconds until sign-in is allowed again for this account or address (0: allowed)."""
    r = redis_client(settings.REDIS_CACHE_URL)
    acct_key, ip_key = _keys(username, ip)
    acct, by_ip = r.mget(acct_key, ip_key)
    locked = 0
    if acct is not None and int(acct) >= settings.CONSOLE_LOGIN_MAX_FAILURES_PER_ACCOUNT:
        locked = max(locked, int(r.ttl(acct_key)))
    if by_ip is not None and int(by_ip) >= settings.CONSOLE_LOGIN_MAX_FAILURES_PER_IP:
        locked = max(locked, int(r.ttl(ip_key)))
    return max(locked, 0)


def login_failed(username: str, ip: str | None) -> None:
    pipe = redis_client(settings.REDIS_CACHE_URL).pipeline()
    for key in _keys(username, ip):
        pipe.incr(key)
        pipe.expire(key, settings.CONSOLE_LOGIN_LOCKOUT_SECONDS)
    pipe.execute()


def login_succeeded(username: str) -> None:
    redis_client(settings.REDIS_CACHE_URL).delete(_keys(username, None)[0])


def _locked_message(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return f"Too many failed sign-in attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}."


def _signin_wait(request: HttpRequest, username: str) -> int:
    """Seconds before a sign-in step may be tried: the anonymous rate per address, then the lockout."""
    window = anonymous_rate_hit(request, "signin")
    if not window.allowed:
        return window.reset_seconds
    return login_locked_for(username, client_ip(request))


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}):
        return value
    return str(settings.LOGIN_REDIRECT_URL)


# --- views ---------------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Password sign-in with lockout; accounts with a TOTP device continue to the code step."""

    template_name = "console/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        locked = _signin_wait(request, username)
        if locked:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _locked_message(locked))
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            response["Retry-After"] = str(locked)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        login_failed(self.request.POST.get("username", ""), client_ip(self.request))
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        login_succeeded(user.get_username())
        if any(True for _ in devices_for_user(user, confirmed=True)):
            self.request.session[PENDING_USER_KEY] = str(user.pk)
            self.request.session[PENDING_BACKEND_KEY] = user.backend
            self.request.session[PENDING_NEXT_KEY] = self.get_success_url()
            return redirect("login-two-factor")
        return super().form_valid(form)


@require_http_methods(["GET", "POST"])
def login_two_factor(request: HttpRequest) -> HttpResponseBase:
    """Second step of sign-in: a code from the authenticator app. Failures count towards lockout."""
    user_id = request.session.get(PENDING_USER_KEY)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        return redirect("login")
    error = ""
    status = 200
    if request.method == "POST":
        locked = _signin_wait(request, user.get_username())
        code = request.POST.get("otp_token", "").strip()
        device = None
        if not locked:
            device = next(
                (d for d in devices_for_user(user, confirmed=True) if code and d.verify_token(code)), None
            )
        if device is not None:
            backend = request.session.get(PENDING_BACKEND_KEY, settings.AUTHENTICATION_BACKENDS[0])
            next_url = request.session.get(PENDING_NEXT_KEY, "/")
            login(request, user, backend=backend)
            otp_login(request, device)
            login_succeeded(user.get_username())
            return redirect(_safe_next(request, next_url))
        if locked:
            error, status = _locked_message(locked), 429
        else:
            login_failed(user.get_username(), client_ip(request))
            error, status = "That code is not valid. Use the current code from your app.", 400
    return render(request, "console/login_two_factor.html", {"error": error}, status=status)


def _totp_qr_svg(device: TOTPDevice) -> str:
    import base64
    import io

    import qrcode
    import qrcode.image.svg

    img = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    out = io.BytesIO()
    img.save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


@login_required
@require_http_methods(["GET", "POST"])
def account_two_factor(request: HttpRequest) -> HttpResponseBase:
    """Set up (scan, confirm with a code) or verify this session's second factor."""
    user = cast(User, request.user)
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    error, status = "", 200
    if confirmed is not None:
        # Enrolled already: this page verifies the current session (e.g. signed in before enrolling).
        if request.method == "POST":
            code = request.POST.get("otp_token", "").strip()
            if code and confirmed.verify_token(code):
                otp_login(request, confirmed)
                return redirect(next_url)
            error, status = "That code is not valid.", 400
        return render(
            request,
            "console/two_factor.html",
            {"enrolled": True, "verified": user.is_verified(), "error": error, "next": next_url},  # type: ignore[attr-defined]
            status=status,
        )
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "authenticator"}
    )
    if request.method == "POST":
        code = request.POST.get("otp_token", "").strip()
        if code and device.verify_token(code):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit_record(
                tenant=None,
                actor=Actor.for_user(user, request),
                action=USER_TWO_FACTOR_ENABLED,
                target=user,
            )
            messages.success(request, "Two-factor sign-in is on for your account.")
            return redirect(next_url)
        error, status = "That code is not valid. Scan the code again and type the current 6 digits.", 400
    return render(
        request,
        "console/two_factor.html",
        {
            "enrolled": False,
            "qr": _totp_qr_svg(device),
            "secret": device.bin_key.hex(),
            "config_url": device.config_url,
            "error": error,
            "next": next_url,
        },
        status=status,
    )


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "console/password_reset.html"
    email_template_name = "console/password_reset_email.txt"
    subject_template_name = "console/password_reset_subject.txt"
    success_url = reverse_lazy("password-reset-done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "console/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "console/password_reset_confirm.html"
    success_url = reverse_lazy("password-reset-complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # A successful reset ends an account lockout (the owner of the mailbox proved themselves).
        login_succeeded(form.user.get_username())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "console/password_reset_complete.html"


__all__ = [
    "LoginView",
    "PasswordResetCompleteView",
    "PasswordResetConfirmView",
    "PasswordResetDoneView",
    "PasswordResetView",
    "account_two_factor",
    "login_two_factor",
]
