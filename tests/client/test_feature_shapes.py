"""feature-extraction: token-level answers of plain transformers models and sentence vectors, through the
client and the Playground's vector view (issue 12, item 11)."""

from __future__ import annotations

import pytest

from hftui.client import HFClient, Target


@pytest.fixture
async def hf(settings, token):
    async with HFClient(settings, token, max_retries=0) as client:
        yield client


async def test_plain_transformers_features_are_token_level(hf):
    out = await hf.inference.feature_extraction(Target.hf_model("facebook/bart-base"), "That is a happy person")
    assert len(out) == 1 and len(out[0]) == 7 and len(out[0][0]) == 768  # batch x tokens x hidden
    many = await hf.inference.feature_extraction(Target.hf_model("facebook/bart-base"), ["hi", "a b"])
    assert [len(x[0]) for x in many] == [3, 4] and len(many[0][0][0]) == 768


async def test_sentence_transformers_give_one_vector_per_text(hf):
    one = await hf.inference.feature_extraction(Target.hf_model("BAAI/bge-small-en-v1.5"), "hi")
    assert len(one) == 384 and isinstance(one[0], float)
    two = await hf.inference.feature_extraction(Target.hf_model("BAAI/bge-small-en-v1.5"), ["a", "b"])
    assert len(two) == 2 and len(two[0]) == 384


async def test_the_vector_view_shows_both_shapes(hf):
    from hftui.widgets.results import VectorView

    tokens = VectorView(await hf.inference.feature_extraction(Target.hf_model("facebook/bart-base"), "Hi there!"))
    assert tokens.shape == [1, 5, 768] and len(tokens.first) == 768  # <s> Hi there ! </s>
    assert "1 × 5 × 768" in tokens.render().plain and tokens.summary.startswith("shape 1x5x768")
    sentence = VectorView(await hf.inference.feature_extraction(Target.hf_model("BAAI/bge-small-en-v1.5"), "Hi"))
    assert sentence.shape == [384] and sentence.norm == pytest.approx(1.0, abs=1e-3)
