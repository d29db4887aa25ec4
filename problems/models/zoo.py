"""The built-in models: AlexNet, VGG19, GoogLeNet and ResNet-101, from their architectures."""

from __future__ import annotations

from collections.abc import Callable

from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.models.builder import ArchitectureBuilder
from eosdnn.problems.models.graph import DnnModel


def alexnet() -> DnnModel:
    """The original 96-filter AlexNet without the two-GPU grouping (paper Table V), 13 layers."""
    b = ArchitectureBuilder("alexnet")
    x = b.conv("conv1", None, 96, 11, stride=4, pad=2)
    x = b.lrn("norm1", x)
    x = b.pool("pool1", x, 3, 2)
    x = b.conv("conv2", x, 256, 5, pad=2)
    x = b.lrn("norm2", x)
    x = b.pool("pool2", x, 3, 2)
    x = b.conv("conv3", x, 384, 3, pad=1)
    x = b.conv("conv4", x, 384, 3, pad=1)
    x = b.conv("conv5", x, 256, 3, pad=1)
    x = b.pool("pool5", x, 3, 2)
    x = b.fc("fc6", x, 4096)
    x = b.fc("fc7", x, 4096)
    b.fc("fc8", x, 1000)
    return b.build()


def vgg19() -> DnnModel:
    """VGG19: 16 convolutions, 5 max-pools, 3 fully connected layers (paper Table VI), 24 layers."""
    b = ArchitectureBuilder("vgg19")
    x: str | None = None
    for stage, (channels, convs) in enumerate([(64, 2), (128, 2), (256, 4), (512, 4), (512, 4)], start=1):
        for i in range(1, convs + 1):
            x = b.conv(f"conv{stage}_{i}", x, channels, 3, pad=1)
        x = b.pool(f"pool{stage}", x, 2, 2)
    assert x is not None
    x = b.fc("fc6", x, 4096)
    x = b.fc("fc7", x, 4096)
    b.fc("fc8", x, 1000)
    return b.build()


# (1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool projection), Szegedy et al. 2015, Table 1.
INCEPTION = {
    "3a": (64, 96, 128, 16, 32, 32),
    "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64),
    "4b": (160, 112, 224, 24, 64, 64),
    "4c": (128, 128, 256, 24, 64, 64),
    "4d": (112, 144, 288, 32, 64, 64),
    "4e": (256, 160, 320, 32, 128, 128),
    "5a": (256, 160, 320, 32, 128, 128),
    "5b": (384, 192, 384, 48, 128, 128),
}


def googlenet() -> DnnModel:
    """GoogLeNet (Inception v1) without auxiliary heads; each inception module is four branches and a concat."""
    b = ArchitectureBuilder("googlenet")
    x = b.conv("conv1/7x7_s2", None, 64, 7, stride=2, pad=3)
    x = b.pool("pool1/3x3_s2", x, 3, 2, ceil=True)
    x = b.lrn("pool1/norm1", x)
    x = b.conv("conv2/3x3_reduce", x, 64, 1)
    x = b.conv("conv2/3x3", x, 192, 3, pad=1)
    x = b.lrn("conv2/norm2", x)
    x = b.pool("pool2/3x3_s2", x, 3, 2, ceil=True)
    for key, (c1, c3r, c3, c5r, c5, cp) in INCEPTION.items():
        if key == "4a":
            x = b.pool("pool3/3x3_s2", x, 3, 2, ceil=True)
        if key == "5a":
            x = b.pool("pool4/3x3_s2", x, 3, 2, ceil=True)
        m = f"inception_{key}"
        b.module = m
        branch1 = b.conv(f"{m}/1x1", x, c1, 1)
        branch2 = b.conv(f"{m}/3x3", b.conv(f"{m}/3x3_reduce", x, c3r, 1), c3, 3, pad=1)
        branch3 = b.conv(f"{m}/5x5", b.conv(f"{m}/5x5_reduce", x, c5r, 1), c5, 5, pad=2)
        branch4 = b.conv(f"{m}/pool_proj", b.pool(f"{m}/pool", x, 3, 1, pad=1, ceil=True), cp, 1)
        x = b.concat(f"{m}/output", [branch1, branch2, branch3, branch4])
        b.module = None
    x = b.global_pool("pool5/7x7_s1", x)
    b.fc("loss3/classifier", x, 1000)
    return b.build()


def resnet101() -> DnnModel:
    """ResNet-101 (He et al. 2016, Caffe layout: stride on the first 1x1), bottleneck blocks with shortcut and add."""
    b = ArchitectureBuilder("resnet101")
    x = b.conv("conv1", None, 64, 7, stride=2, pad=3, batch_norm=True)
    x = b.pool("pool1", x, 3, 2, pad=1)
    for stage, (width, blocks) in enumerate([(64, 3), (128, 4), (256, 23), (512, 3)], start=2):
        for i in range(blocks):
            if stage == 4 and i > 0:
                key = f"{stage}b{i}"
            else:
                key = f"{stage}{chr(ord('a') + i)}"
            m = f"res{key}"
            b.module = m
            stride = 2 if (i == 0 and stage > 2) else 1
            shortcut = b.conv(f"{m}_branch1", x, 4 * width, 1, stride=stride, batch_norm=True) if i == 0 else x
            y = b.conv(f"{m}_branch2a", x, width, 1, stride=stride, batch_norm=True)
            y = b.conv(f"{m}_branch2b", y, width, 3, pad=1, batch_norm=True)
            y = b.conv(f"{m}_branch2c", y, 4 * width, 1, batch_norm=True)
            x = b.add(m, [shortcut, y])
            b.module = None
    x = b.global_pool("pool5", x)
    b.fc("fc1000", x, 1000)
    return b.build()


BUILTIN: dict[str, Callable[[], DnnModel]] = {
    "alexnet": alexnet,
    "vgg19": vgg19,
    "googlenet": googlenet,
    "resnet101": resnet101,
}

ALIASES = {"vgg": "vgg19", "resnet": "resnet101", "resnet-101": "resnet101"}


def builtin_model(name: str) -> DnnModel:
    """A built-in model by name (case-insensitive; `vgg` and `resnet` are aliases)."""
    key = name.lower()
    key = ALIASES.get(key, key)
    if key not in BUILTIN:
        raise EosdnnError(f"model {name!r}: unknown model (built-in: {', '.join(BUILTIN)}; or a path to a model JSON file)")
    return BUILTIN[key]()
