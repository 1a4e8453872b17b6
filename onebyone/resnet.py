"""The course's FCN and U-Net on a ResNet-18 body, the step toward photographs.

The layers carry the names of torchvision's ``resnet18`` (``conv1``, ``bn1``,
``layer1`` to ``layer4``, each block's ``conv1``, ``bn1``, ``conv2``, ``bn2`` and
``downsample``), so its ImageNet weights load into ``ResNet18Body`` as they are,
once the classifier's ``fc`` entries are left out.
"""

import torch
import torch.nn.functional as F
from torch import nn

from onebyone.fcn import conv_block
from onebyone.upsampling import bilinear_upsampler

# What ImageNet-trained weights expect: each RGB channel normalised by these.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
VOID = 255  # PASCAL VOC's label for object borders and pixels left unlabelled


class BasicBlock(nn.Module):
    """Two 3×3 convolutions and the shortcut around them: ResNet-18's block."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.downsample = None  # the shortcut: the input itself, or a strided 1×1
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )

    def forward(self, x):
        shortcut = x if self.downsample is None else self.downsample(x)
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(y)) + shortcut)


class ResNet18Body(nn.Module):
    """ResNet-18 without its average pooling and classifier."""

    WIDTHS = (64, 64, 128, 256, 512)  # the channels at strides 2, 4, 8, 16 and 32
    STRIDE = 32

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        for number, c_out in enumerate(self.WIDTHS[1:], 1):
            c_in, stride = self.WIDTHS[number - 1], 1 if number == 1 else 2
            blocks = BasicBlock(c_in, c_out, stride), BasicBlock(c_out, c_out)
            setattr(self, f"layer{number}", nn.Sequential(*blocks))

    def forward(self, x):
        """The feature maps at strides 2, 4, 8, 16 and 32."""
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(
                f"ResNet-18 takes RGB images, (N, 3, H, W); got {tuple(x.shape)}."
            )
        x = F.relu(self.bn1(self.conv1(x)))
        features = [x]
        x = self.maxpool(x)
        for layer in (self.layer1, self.layer2, self.layer3, self.layer4):
            x = layer(x)
            features.append(x)
        return features


def pad_to_stride(images, stride=ResNet18Body.STRIDE):
    """Images zero-padded at the bottom and right to multiples of ``stride``, and
    the (height, width) to crop the scores back to."""
    height, width = images.shape[-2:]
    return F.pad(images, (0, -width % stride, 0, -height % stride)), (height, width)


class ResNetFCN(nn.Module):
    """FCN-8s on ResNet-18: 1×1 score layers at strides 32, 16 and 8, fused by
    learned 2× upsamplers, then fixed 8× bilinear upsampling to the input's size."""

    def __init__(self, num_classes=21):
        super().__init__()
        self.body = ResNet18Body()
        self.scores = nn.ModuleList(
            nn.Conv2d(width, num_classes, 1) for width in (512, 256, 128)
        )
        self.fuse_upsamplers = nn.ModuleList(
            bilinear_upsampler(num_classes, 2) for _ in range(2)
        )
        self.final_upsampler = bilinear_upsampler(num_classes, 8)
        self.final_upsampler.requires_grad_(False)  # fixed, as in the FCN paper

    def forward(self, images):
        padded, (height, width) = pad_to_stride(images)
        stride8, stride16, stride32 = self.body(padded)[2:]
        scores = self.scores[0](stride32)
        scores = self.fuse_upsamplers[0](scores) + self.scores[1](stride16)
        scores = self.fuse_upsamplers[1](scores) + self.scores[2](stride8)
        return self.final_upsampler(scores)[..., :height, :width]


class ResNetUNet(nn.Module):
    """A U-Net whose encoder is ResNet-18: the decoder climbs from stride 32 to
    the input's size, concatenating the encoder's map at each stride it meets."""

    def __init__(self, num_classes=21, top_width=32):
        super().__init__()
        self.body = ResNet18Body()
        skips = ResNet18Body.WIDTHS[-2::-1]  # 256, 128, 64, 64 at strides 16 to 2
        inputs = ResNet18Body.WIDTHS[:0:-1]  # what each up-convolution receives
        self.upsamplers = nn.ModuleList(
            nn.ConvTranspose2d(c, c // 2, kernel_size=2, stride=2) for c in inputs
        )
        self.decoder = nn.ModuleList(  # two 3×3 convolutions (chapter 6's helper)
            conv_block(skip + c // 2, skip)
            for skip, c in zip(skips, inputs, strict=True)
        )
        self.top = nn.Sequential(  # from stride 2 to the input's own pixels
            nn.ConvTranspose2d(skips[-1], top_width, kernel_size=2, stride=2),
            conv_block(top_width, top_width),
        )
        self.classifier = nn.Conv2d(top_width, num_classes, 1)

    def forward(self, images):
        padded, (height, width) = pad_to_stride(images)
        features = self.body(padded)
        x = features[-1]
        for upsampler, block, skip in zip(
            self.upsamplers, self.decoder, features[-2::-1], strict=True
        ):
            x = block(torch.cat([skip, upsampler(x)], dim=1))
        return self.classifier(self.top(x))[..., :height, :width]
