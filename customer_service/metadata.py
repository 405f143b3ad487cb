"""What the API answers to OPTIONS: the Allow header, nothing else."""

from rest_framework.metadata import BaseMetadata


class AllowHeaderOnly(BaseMetadata):
    """An empty body; DRF adds the Allow header to every response.

    DRF's default would describe each input field to whoever asks. The
    OpenAPI schema is the API's one description, so OPTIONS holds nothing
    worth guarding and may answer anyone, as a CORS preflight needs.
    """

    def determine_metadata(self, request, view):
        return None
