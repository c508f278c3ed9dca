"""Hub API (whoami, model search, model info / serving status, model card).

CONTRACT — methods of ``hf.hub`` (class HubAPI):

    async whoami(*, refresh=False) -> WhoAmI
        GET {hub}/api/whoami-v2; cached per client (the Hub rate-limits it hard).
    async search_models(*, search=None, task=None, sort="trending", limit=50,
                        servable_only=False, provider=None, author=None) -> ModelPage
        sort in {"trending", "downloads", "likes", "lastModified"} (trending ->
        trendingScore). Expands pipeline_tag, downloads, likes, lastModified,
        inference, inferenceProviderMapping, library_name, tags, trendingScore.
        servable_only -> inference=warm. Page's next_url from the Link header.
    async next_models(next_url: str) -> ModelPage     # follows the URL verbatim
    async model_info(model_id: str) -> ModelInfo
        Full info + inference + inferenceProviderMapping; follows 307 renames
        on the same host; legacy_status filled when the server offers
        {inference_url}/status/{id} (None otherwise, never an error).
    async legacy_status(model_id: str) -> LegacyStatus | None
    async model_card(model_id: str, *, max_bytes=200_000) -> str
        The README (GET {hub}/{id}/raw/main/README.md), truncated to max_bytes,
        "" when there is none.
"""

from __future__ import annotations

SORTS = ("trending", "downloads", "likes", "lastModified")
