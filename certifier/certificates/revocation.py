"""Placeholder until its helper writes it (removed before commit)."""
