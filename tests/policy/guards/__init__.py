"""Tests of the policy guards."""
