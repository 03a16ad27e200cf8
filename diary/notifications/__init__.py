"""Delivery channels for reminders: one function per channel, typed errors.

Callers (diary/services/reminders/) decide what to send and record the outcome;
these modules only talk to the outside world.
"""
