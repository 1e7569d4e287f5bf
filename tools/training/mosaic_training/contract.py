"""Constants of the model tensor contract (docs/model/tensor-contract.md).

Everything the training side knows about the TypeScript export lives here, so a contract change is
one edit. Python never reads cohort files directly: only the export's index.json and .npy arrays.
"""

EXPORT_FORMAT = "mosaic-tensors/1"

TEXT_LEN = 128
IMAGE_SIZE = 128
IMAGE_GRID = 8  # 8x8 patch tokens, row-major
IMAGE_TOKENS = IMAGE_GRID * IMAGE_GRID
VITALS_STEPS = 48  # hourly grid, oldest first
VITALS_CHANNELS = 12  # 6 z-scored values + 6 observed masks
VITALS_VALUE_CHANNELS = 6
TOTAL_TOKENS = TEXT_LEN + IMAGE_TOKENS + VITALS_STEPS  # 240

PAD_ID, UNK_ID, CLS_ID, SEP_ID = 0, 1, 2, 3

MODALITIES = ("text", "image", "vitals")

# Concatenation order of the fusion input: text || image || vitals (half-open ranges).
POSITIONS = {
    "text": (0, TEXT_LEN),
    "image": (TEXT_LEN, TEXT_LEN + IMAGE_TOKENS),
    "vitals": (TEXT_LEN + IMAGE_TOKENS, TOTAL_TOKENS),
}

# Vitals value channels 0-5, in contract order: LOINC code, display, UCUM unit.
VITALS_LOINC = [
    ("8867-4", "Heart rate", "/min"),
    ("9279-1", "Respiratory rate", "/min"),
    ("59408-5", "Oxygen saturation by pulse oximetry", "%"),
    ("8310-5", "Body temperature", "Cel"),
    ("8480-6", "Systolic blood pressure", "mm[Hg]"),
    ("8462-4", "Diastolic blood pressure", "mm[Hg]"),
]

# name -> (dtype, shape without the row axis)
ARRAYS = {
    "text_ids": ("int64", (TEXT_LEN,)),
    "text_mask": ("uint8", (TEXT_LEN,)),
    "image": ("float32", (1, IMAGE_SIZE, IMAGE_SIZE)),
    "image_present": ("uint8", ()),
    "vitals": ("float32", (VITALS_STEPS, VITALS_CHANNELS)),
    "vitals_present": ("uint8", ()),
    "labels": ("float32", None),  # (K,), K from index.json
    # (K, 240): 1 on the fusion positions (text || image || vitals) holding label k's ground-truth
    # evidence; training only (evidence supervision), never a model input.
    "evidence": ("uint8", "labels x positions"),
}

ONNX_OPSET = 17
