"""Sandboxes: HTTP servers on loopback that speak Magento's and Odoo's real wire protocols.

They are peers of Bridge: they share no code with it and are spoken to over HTTP only.
"""
