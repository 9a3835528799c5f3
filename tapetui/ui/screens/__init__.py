"""The app's screens: scenario picker, debugger, tape overview, help."""
