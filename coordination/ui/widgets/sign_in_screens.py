"""The screens around sign-in: the provider buttons, access pending, signed out, and no operation yet."""

from __future__ import annotations

import streamlit as st

from coordination.services.sign_in import Identity
from coordination.ui.widgets.context import operation_name


def providers() -> dict[str, str]:
    """Configured identity providers ([auth.<name>] in secrets.toml) and their button names."""
    auth = st.secrets.get("auth", {})
    names = st.secrets.get("providers", {})
    return {key: names.get(key, key) for key, value in auth.items() if hasattr(value, "keys")}


def sign_in_screen() -> None:
    st.title(operation_name())  # the app's own name: no operation is named before sign-in
    st.write("Sign in with your agency's identity provider. Only provisioned users see operational data.")
    configured = providers()
    if not configured:
        st.error("No identity provider is configured. Add one to .streamlit/secrets.toml "
                 "(see .streamlit/secrets.example.toml), or start the demo with `make run`.")
        return
    for key, name in configured.items():
        st.button(f"Sign in with {name}", key=f"sign-in-{key}", on_click=st.login, args=(key,))


def refused_screen(message: str, identity: Identity, show_identity: bool) -> None:
    st.title("Access pending" if show_identity else "Signed out")
    st.warning(message)
    if show_identity:
        st.write("Give an admin this identity to provision:")
        st.code(f"issuer:  {identity.issuer}\nsubject: {identity.subject}", language=None)
    st.button("Sign out" if show_identity else "Sign in again", on_click=st.logout)


def no_operation_screen() -> None:
    """Signed in, provisioned, but a member of no operation: nothing to read yet."""
    st.title(operation_name())
    st.info("You take part in no operation yet. Ask your administrator to add you.")
