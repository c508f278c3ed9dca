"""Specs of the image and audio tasks (binary inputs are file paths, checked before upload)."""

from __future__ import annotations

from hftui.tasks.fields import Field
from hftui.tasks.spec import TaskSpec

IMAGE = Field("inputs", "Image file", "file-image", required=True,
              help="Path of a PNG/JPEG/WebP/GIF image (checked before upload).")
AUDIO = Field("inputs", "Audio file", "file-audio", required=True, help="Path of a FLAC/WAV/MP3/OGG file.")

TEXT_TO_IMAGE = TaskSpec(
    task="text-to-image", short="txt2img", title="Text to image", result_kind="image",
    inputs=(Field("inputs", "Prompt", "multiline", required=True),),
    params=(
        Field("negative_prompt", "Negative prompt", "text", help="What the picture should not contain."),
        Field("width", "Width", "int", min=64, max=2048, help="Pixels."),
        Field("height", "Height", "int", min=64, max=2048, help="Pixels."),
        Field("num_inference_steps", "Steps", "int", min=1, max=500),
        Field("guidance_scale", "Guidance scale", "float", min=0, max=50),
        Field("scheduler", "Scheduler", "text", advanced=True),
        Field("seed", "Seed", "int", min=0),
    ),
    example={"inputs": "An astronaut riding a horse on the moon."},
)

IMAGE_CLASSIFICATION = TaskSpec(
    task="image-classification", short="img-cls", title="Image classification",
    result_kind="labels",
    inputs=(IMAGE,),
    params=(
        Field("top_k", "Top k", "int", min=1, max=100),
        Field("function_to_apply", "Function to apply", "choice", choices=("sigmoid", "softmax", "none")),
    ),
)

OBJECT_DETECTION = TaskSpec(
    task="object-detection", short="obj-det", title="Object detection", result_kind="detections",
    inputs=(IMAGE,),
    params=(Field("threshold", "Threshold", "float", min=0, max=1, help="Drop boxes scored below this."),),
)

IMAGE_TO_TEXT = TaskSpec(
    task="image-to-text", short="img2txt", title="Image to text", result_kind="text",
    inputs=(IMAGE,),
)

ASR = TaskSpec(
    task="automatic-speech-recognition", short="asr", title="Speech recognition",
    result_kind="transcription",
    inputs=(AUDIO,),
    params=(
        Field("return_timestamps", "Timestamps", "bool", default=None, help="Return chunks with timestamps."),
        Field("generation_parameters", "Generation parameters", "json", advanced=True,
              help='JSON object, e.g. {"max_new_tokens": 128}.'),
    ),
)

SPECS = (TEXT_TO_IMAGE, IMAGE_CLASSIFICATION, OBJECT_DETECTION, IMAGE_TO_TEXT, ASR)
