"""Orders, Magento -> Odoo: pages of orders, what they point to, invoicing, later changes."""
