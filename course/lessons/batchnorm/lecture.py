"""The lecture's fixed data for lesson 05: the digits it normalizes, its Keras model and summary, AlexNet's recipe,
and the key terms in English and Korean."""
import numpy as np

#: The 10×10 table of digits the lecture normalizes, read as a batch of 10 samples with 10 features.
LECTURE_BATCH = np.array([
    [3, 4, 2, 1, 9, 5, 6, 2, 1, 8],
    [8, 9, 1, 2, 3, 0, 0, 6, 6, 4],
    [6, 7, 0, 1, 6, 3, 6, 3, 7, 0],
    [3, 7, 7, 9, 4, 6, 6, 1, 8, 2],
    [2, 9, 3, 4, 3, 9, 8, 7, 2, 5],
    [1, 5, 9, 8, 3, 6, 5, 7, 2, 3],
    [9, 3, 1, 9, 1, 5, 8, 0, 8, 4],
    [5, 6, 2, 6, 8, 5, 8, 8, 9, 9],
    [3, 7, 7, 0, 9, 4, 8, 5, 4, 3],
    [7, 9, 6, 4, 1, 0, 6, 9, 2, 3],
], dtype=float)

#: (filters, stride) of the six 2×2 convolutions in the lecture's Keras model (sigmoid activations).
LECTURE_CONVS = ((32, 1), (64, 1), (128, 2), (32, 1), (64, 1), (128, 2))

#: The totals of the lecture's ``model.summary()`` for that model with BatchNormalization after every convolution.
KERAS_SUMMARY = {"total": 511_690, "trainable": 510_794, "non_trainable": 896}

#: AlexNet's training recipe as the lecture lists it ("Details/Retrospectives").
ALEXNET_RECIPE = {
    "optimizer": "SGD with momentum 0.9",
    "learning rate": "1e-2, divided by 10 by hand when the validation accuracy plateaus",
    "batch size": 128,
    "dropout": 0.5,
    "L2 weight decay": 5e-4,
    "ensemble": "7 CNNs: top-5 error 18.2% -> 15.4%",
}

#: The lesson's key terms: English, Korean (the decks' own words where they give them).
KEY_TERMS = (
    ("batch normalization", "배치 정규화"),
    ("running mean / running variance", "이동 평균 / 이동 분산"),
    ("covariate shift", "공변량 변화"),
    ("dropout", "드롭아웃"),
    ("ensemble", "앙상블"),
    ("overfitting", "과적합"),
    ("underfitting", "과소적합"),
    ("generalization", "일반화"),
    ("regularization", "정규화 (규제)"),
    ("weight decay (L2)", "가중치 감쇠"),
    ("validation set", "검증 데이터"),
    ("standardization / normalization (min-max)", "표준화 / 정규화"),
)
