"""Signing in: password, throttling (``console.lockout``: per account and address, per address, a
slow-down per account), TOTP second factor (django-otp), password reset."""

from __future__ import annotations

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
from console.lockout import Refusal, signin_failed, signin_refusal, signin_reset, signin_succeeded
from console.models import User
from console.throttling import anonymous_rate_hit

PENDING_USER_KEY = "console_2fa_pending_user"
PENDING_BACKEND_KEY = "console_2fa_pending_backend"
PENDING_NEXT_KEY = "console_2fa_pending_next"


# --- throttling (console.lockout) ---------------------------------------------------------------


def _refused_message(refusal: Refusal) -> str:
    minutes = max(1, (refusal.seconds + 59) // 60)
    wait = (
        f"{refusal.seconds} second{'s' if refusal.seconds != 1 else ''}"
        if refusal.seconds < 60
        else f"{minutes} minute{'s' if minutes != 1 else ''}"
    )
    return f"Too many failed sign-in attempts. Try again in {wait}."


def _signin_refusal(request: HttpRequest, username: str) -> Refusal | None:
    """Why a sign-in step may not be tried now: the anonymous rate per address, then the lockout."""
    window = anonymous_rate_hit(request, "signin")
    if not window.allowed:
        return Refusal(seconds=max(1, window.reset_seconds), reason="address")
    return signin_refusal(username, client_ip(request))


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
        refusal = _signin_refusal(request, username)
        if refusal is not None:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _refused_message(refusal))
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            response["Retry-After"] = str(refusal.seconds)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        signin_failed(self.request.POST.get("username", ""), self.request)
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if any(True for _ in devices_for_user(user, confirmed=True)):
            # Signed in only once the code is right: the address is remembered as the owner's then.
            self.request.session[PENDING_USER_KEY] = str(user.pk)
            self.request.session[PENDING_BACKEND_KEY] = user.backend
            self.request.session[PENDING_NEXT_KEY] = self.get_success_url()
            return redirect("login-two-factor")
        signin_succeeded(user.get_username(), client_ip(self.request))
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
        refusal = _signin_refusal(request, user.get_username())
        code = request.POST.get("otp_token", "").strip()
        device = None
        if refusal is None:
            device = next(
                (d for d in devices_for_user(user, confirmed=True) if code and d.verify_token(code)), None
            )
        if device is not None:
            backend = request.session.get(PENDING_BACKEND_KEY, settings.AUTHENTICATION_BACKENDS[0])
            next_url = request.session.get(PENDING_NEXT_KEY, "/")
            login(request, user, backend=backend)
            otp_login(request, device)
            signin_succeeded(user.get_username(), client_ip(request))
            return redirect(_safe_next(request, next_url))
        if refusal is not None:
            error, status = _refused_message(refusal), 429
        else:
            signin_failed(user.get_username(), request)
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
        signin_reset(form.user.get_username())
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
