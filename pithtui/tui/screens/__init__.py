"""The screens of the TUI: a hub, a paper's detail, the paper picker, help."""
