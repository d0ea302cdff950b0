"""The widgets of the hub screen."""
