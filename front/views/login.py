"""Session login for the web pages, throttled like the phone's token login."""

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm

from accounts.login import LoginThrottled, login_failure_record, login_throttle_check


class ThrottledAuthenticationForm(AuthenticationForm):
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        try:
            login_throttle_check(username=username, address=address)
        except LoginThrottled:
            raise forms.ValidationError(
                "Too many failed logins. Wait a few minutes and try again.", code="throttled"
            ) from None
        try:
            return super().clean()
        except forms.ValidationError:
            login_failure_record(username=username, address=address)
            raise


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True
