"""An e-mail backend whose server is down, for tests of what happens when sending fails."""
from django.core.mail.backends.base import BaseEmailBackend


class UnreachableServerBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server is not answering")
