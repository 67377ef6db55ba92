"""The lecture's fixed data for lesson 00: the timeline of AI, the ILSVRC winners, the data sets of the
deep-learning workflow, and the two worked examples of supervised learning (credit scoring, drug dose)."""
import numpy as np

#: (year, event, short label) of the timeline the lecture walks through.
TIMELINE = (
    (1943, "McCulloch & Pitts: a neuron as a threshold unit", "McCulloch–Pitts neuron"),
    (1950, "Turing: 'Computing Machinery and Intelligence', the Turing test", "Turing test"),
    (1958, "Rosenblatt: the perceptron learns its weights", "perceptron"),
    (1969, "Minsky & Papert: one perceptron cannot compute XOR", "Perceptrons (XOR)"),
    (1975, "Holland: genetic algorithms", "genetic algorithms"),
    (1986, "Rumelhart, Hinton & Williams: backpropagation", "backpropagation"),
    (1998, "LeCun et al.: LeNet-5 reads digits", "LeNet-5"),
    (2012, "Krizhevsky, Sutskever & Hinton: AlexNet wins ILSVRC", "AlexNet"),
    (2015, "He et al.: ResNet, 152 layers, 3.57% top-5", "ResNet"),
    (2016, "AlphaGo beats Lee Sedol", "AlphaGo"),
    (2022, "ChatGPT, a large language model, is released", "ChatGPT"),
)

#: The AI winters: funding and interest collapsed after the promises outran the results.
AI_WINTERS = ((1974, 1980), (1987, 1993))

#: ILSVRC classification winners: (year, model, top-5 error in %). VGG was second in 2014.
ILSVRC = (
    (2010, "NEC-UIUC", 28.2),
    (2011, "XRCE", 25.8),
    (2012, "AlexNet", 15.3),
    (2013, "ZFNet", 11.7),
    (2014, "GoogLeNet", 6.7),
    (2015, "ResNet", 3.57),
    (2016, "Trimps-Soushen", 2.99),
    (2017, "SENet", 2.25),
)
ILSVRC_RUNNER_UP = (2014, "VGG", 7.3)
#: A human annotator's top-5 error on the same task (Russakovsky et al., 2015).
HUMAN_TOP5 = 5.1

#: The data sets of the workflow: images, classes, height, width, channels (as the lecture gives them).
DATASETS = {
    "MNIST": {"train": 60_000, "test": 10_000, "classes": 10, "shape": (28, 28, 1)},
    "CIFAR-10": {"train": 50_000, "test": 10_000, "classes": 10, "shape": (32, 32, 3)},
    "ImageNet (as in the lecture)": {"train": 800_000, "test": 0, "classes": 1000, "shape": (224, 224, 3)},
}

#: The four steps of the deep-learning workflow in the lecture, then inference.
WORKFLOW = ("1) problem definition", "2) data set preparation / annotation", "3) model selection & training",
            "4) optimization (FP16, INT8, transfer)", "inference")

#: Mitchell's (1997) four parts of a learning system.
MITCHELL = {"E": "environment: what the system interacts with, the problem",
            "D": "data: experience gathered from the environment",
            "M": "model: the structure that models the data",
            "P": "performance: the measure the system improves"}


def customers(n=120, seed=0):
    """The credit-scoring example: income and savings (thousands) and the risk each customer turned out
    to have (1 low risk, 0 high risk). Low-risk customers mostly earn more than 45 and save more than 20,
    with some noise, so no rectangle is perfect."""
    rng = np.random.default_rng(seed)
    income = rng.uniform(10, 100, n).round(1)
    savings = rng.uniform(0, 60, n).round(1)
    low = (income > 45) & (savings > 20)
    flip = rng.random(n) < 0.08
    return income, savings, np.where(flip, ~low, low).astype(int)


def drug_doses(n=24, seed=3):
    """The drug-dose regression: dose x (mg) and how long the effect lasts y (hours), y = 1.2 + 0.8 x + ε."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(1, 10, n)).round(2)
    y = (1.2 + 0.8 * x + rng.normal(scale=0.7, size=n)).round(2)
    return x, y
