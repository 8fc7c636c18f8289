"""Workflows: the operations of Clonespace, each one transaction over the registry."""
