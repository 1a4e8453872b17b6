"""Our FCN: a small convolutional body, 1×1 score layers and skip connections."""

import torch.nn.functional as F
from torch import nn

from onebyone.upsampling import bilinear_upsampler

STRIDE = 8  # three 2×2 poolings: the deepest features are at stride 8


def conv_block(in_channels, out_channels):
    """Two 3×3 convolutions with batch normalisation and ReLU; the size stays."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
    )


def encoder(widths, in_channels=1):
    """One conv_block per width: the stages of a body that pools between them."""
    return nn.ModuleList(
        conv_block(c_in, c_out)
        for c_in, c_out in zip((in_channels, *widths[:-1]), widths, strict=True)
    )


# %%
def encode(stages, x):
    """The feature map of every stage, with a 2×2 max pooling between stages.

    The maps are at strides 1, 2, 4, ...; height and width must be multiples of
    the deepest stride.
    """
    stride = 2 ** (len(stages) - 1)
    if x.shape[-2] % stride or x.shape[-1] % stride:
        raise ValueError(
            f"height and width must be multiples of {stride}; "
            f"got {tuple(x.shape[-2:])}."
        )
    features = []
    for index, stage in enumerate(stages):
        x = stage(x if index == 0 else F.max_pool2d(x, 2))
        features.append(x)
    return features


# %%
class FCN(nn.Module):
    """Our FCN, named by its number of skip connections.

    skips=0, 1, 2, 3 make FCN+0, FCN+1, FCN+2 and FCN+3, whose finest scores are
    at strides 8, 4, 2 and 1 (FCN+0 to FCN+2 follow the designs of the FCN
    paper's FCN-32s, FCN-16s and FCN-8s).
    """

    def __init__(self, num_classes, skips, widths=(8, 16, 32, 64)):
        super().__init__()
        if skips not in (0, 1, 2, 3):
            raise ValueError(
                f"skips must be 0, 1, 2 or 3 (one per finer stage); got {skips!r}."
            )
        if len(widths) != 4:
            raise ValueError(f"widths needs one entry per stage (4); got {widths}.")
        self.skips = skips
        self.stages = encoder(widths)
        # 1×1 score layers, deepest first: strides 8, 4, 2, 1
        self.scores = nn.ModuleList(
            nn.Conv2d(w, num_classes, 1) for w in widths[::-1][: skips + 1]
        )
        self.fuse_upsamplers = nn.ModuleList(
            bilinear_upsampler(num_classes, 2) for _ in range(skips)
        )
        finest = STRIDE >> skips  # the stride of the finest score map
        self.final_upsampler = (
            bilinear_upsampler(num_classes, finest) if finest > 1 else nn.Identity()
        )

    def features(self, x):
        """The feature maps of the four stages, at strides 1, 2, 4 and 8."""
        return encode(self.stages, x)

    def score(self, features):
        """Class scores at the input size, from the features of the four stages."""
        deepest_first = features[::-1]
        scores = self.scores[0](deepest_first[0])  # (N, num_classes, H/8, W/8)
        for k in range(self.skips):
            finer = self.scores[k + 1](deepest_first[k + 1])
            scores = self.fuse_upsamplers[k](scores) + finer
        return self.final_upsampler(scores)  # (N, num_classes, H, W)

    def forward(self, x):
        return self.score(self.features(x))
