"""Reminder settings, push subscriptions, snooze, and the one-click e-mail unsubscribe."""

from __future__ import annotations

from html import escape
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import renderers, status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers.common import service_input
from api.serializers.reminders import (
    PushSubscriptionIn,
    PushSubscriptionOut,
    ReminderIn,
    ReminderOut,
    UnsubscribeOut,
    VapidKeyOut,
    reminder_out,
)
from api.views.base import BaseView, PatientView, parse_uuid
from diary import selectors
from diary.services import reminders as service
from diary.services.inputs import ReminderChange


class RemindersView(PatientView):
    pagination_class = None

    @extend_schema(responses=ReminderOut(many=True), summary="My dose and diary reminders")
    def get(self, request: Request) -> Response:
        patient = self.patient
        return Response([reminder_out(r, patient) for r in service.reminders_ensure(patient)])


class ReminderView(PatientView):
    pagination_class = None

    @extend_schema(responses=ReminderOut, summary="One reminder (kind: dose or diary)")
    def get(self, request: Request, kind: str) -> Response:
        return Response(reminder_out(service.reminder_get(self.patient, kind), self.patient))

    @extend_schema(request=ReminderIn, responses=ReminderOut, summary="Change a reminder; it is rescheduled")
    def patch(self, request: Request, kind: str) -> Response:
        data = ReminderIn(data=request.data)
        data.is_valid(raise_exception=True)
        patient = self.patient
        return Response(
            reminder_out(service.reminder_update(patient, kind, service_input(data, ReminderChange)), patient)
        )


class ReminderSnoozeView(PatientView):
    pagination_class = None

    @extend_schema(
        request=None,
        responses={200: ReminderOut, 409: OpenApiResponse(description="Nothing to snooze, or already snoozed today")},
        summary="Remind me again in 30 minutes (the notification's action; once a day)",
    )
    def post(self, request: Request, kind: str) -> Response:
        patient = self.patient
        return Response(reminder_out(service.reminder_snooze(patient, kind), patient))


class PushSubscriptionsView(PatientView):
    pagination_class = None

    @extend_schema(responses=PushSubscriptionOut(many=True), summary="My devices that receive push reminders")
    def get(self, request: Request) -> Response:
        subs = selectors.push_subscriptions_of(self.patient)
        return Response(PushSubscriptionOut(subs, many=True).data)

    @extend_schema(
        request=PushSubscriptionIn,
        responses={201: PushSubscriptionOut, 200: PushSubscriptionOut},
        summary="Register this browser's push subscription (idempotent on the endpoint)",
    )
    def post(self, request: Request) -> Response:
        data = PushSubscriptionIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        sub, created = service.push_subscription_save(
            self.patient,
            endpoint=values["endpoint"],
            p256dh=values["keys"]["p256dh"],
            auth=values["keys"]["auth"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(PushSubscriptionOut(sub).data, status=code)


class PushSubscriptionView(PatientView):
    pagination_class = None

    @extend_schema(responses={204: None}, summary="Stop push reminders to one device")
    def delete(self, request: Request, subscription_id: str) -> Response:
        service.push_subscription_delete(self.patient, parse_uuid(subscription_id, "subscription_id"))
        return Response(status=status.HTTP_204_NO_CONTENT)


class VapidKeyView(PatientView):
    pagination_class = None

    @extend_schema(responses=VapidKeyOut, summary="The VAPID public key (applicationServerKey) to subscribe with")
    def get(self, request: Request) -> Response:
        return Response({"public_key": service.vapid_keys()[1]})


class UnsubscribePage(renderers.BaseRenderer):
    """The link in the e-mail, opened in a browser: one button that unsubscribes (POST).

    GET changes nothing, so a mail scanner that follows links cannot turn reminders off.
    """

    media_type = "text/html"
    format = "html"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        request = (renderer_context or {}).get("request")
        if not isinstance(data, dict) or "email" not in data:
            message = escape(str((data or {}).get("detail", "Something went wrong.")))
            body = f"<p>{message}</p>"
        elif not data["email"]:
            body = f"<p>You will get no more e-mails for your {escape(data['kind'])} reminder.</p>"
        else:
            body = (
                f"<p>Stop e-mails for your {escape(data['kind'])} reminder?</p>"
                f'<form method="post" action="{escape(request.path if request else "")}">'
                '<button type="submit">Unsubscribe</button></form>'
            )
        head = '<!doctype html><html lang="en"><meta charset="utf-8"><title>LDN Diary</title>'
        return f"{head}<body>{body}</body></html>".encode()


class UnsubscribeView(BaseView):
    """One-click unsubscribe from reminder e-mails: the signed token is the authority.

    POST is what mail clients send for List-Unsubscribe-Post (RFC 8058, form-encoded).
    """

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    parser_classes = [JSONParser, FormParser]
    renderer_classes = [renderers.JSONRenderer, UnsubscribePage]
    pagination_class = None

    @extend_schema(auth=[], responses=UnsubscribeOut, summary="What an unsubscribe link would stop")
    def get(self, request: Request, token: str) -> Response:
        reminder = service.reminder_from_token(token)
        return Response({"kind": reminder.kind, "email": reminder.email})

    @extend_schema(auth=[], request=None, responses=UnsubscribeOut, summary="Stop e-mails for one reminder")
    def post(self, request: Request, token: str) -> Response:
        reminder = service.reminder_unsubscribe(token)
        return Response({"kind": reminder.kind, "email": reminder.email})
