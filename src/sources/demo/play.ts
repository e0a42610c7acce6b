/**
 * Google Play Store groups, as Takeout's `Google Play Store/` folder: JSON arrays whose items wrap one object
 * under a kind key (`[{"install": {...}}]`, `[{"purchaseHistory": {...}}]`).
 */
import { JSON_ARRAY, listFile, objectFile, settingsChangedMs, type GroupContext, type GroupSpec } from './group-spec.js';
import { euros, userProfile } from './entities.js';
import { Rng, makePool, mix32, rfc3339, type Pool } from './timeline.js';
import { APPS, BOOKS, CARRIERS, DEVICES, MOVIES, type App } from './vocab.js';

const FOLDER = 'Google Play Store';

type Device = (typeof DEVICES)[number];

/** The two or three Android devices a user owns; shared by installs and devices. */
function userDevices(ctx: GroupContext): Pool<Device> {
  return makePool(ctx.userSeed ^ 0x64657673, 3, (rng) => rng.pick(DEVICES));
}

function appDoc(app: App): { documentType: string; title: string } {
  return { documentType: 'Android Apps', title: app.title };
}

function paymentMethod(rng: Rng): string {
  return rng.pick(['Visa', 'Mastercard', 'PayPal', 'Google Play balance']) + (rng.chance(0.7) ? `-${rng.between(1000, 9999)}` : '');
}

const installs: GroupSpec = {
  spanDays: 4 * 365,
  shape: 'list',
  files(ctx) {
    const devices = userDevices(ctx);
    return [
      listFile(ctx, `${FOLDER}/Installs.json`, JSON_ARRAY, (_k, ms, rng) => {
        const device = devices.pick(rng);
        return {
          install: {
            doc: appDoc(rng.pick(APPS)),
            firstInstallationTime: rfc3339(ms),
            deviceAttribute: {
              manufacturer: device.manufacturer,
              deviceDisplayName: `${device.retailBrand} ${device.model}`,
              carrier: rng.pick(CARRIERS),
            },
            lastUpdateTime: rfc3339(Math.min(ctx.nowMs, ms + rng.int(300) * 86_400_000)),
          },
        };
      }),
    ];
  },
};

const library: GroupSpec = {
  spanDays: 5 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, `${FOLDER}/Library.json`, JSON_ARRAY, (_k, ms, rng) => {
        const r = rng.float();
        const doc =
          r < 0.7 ? appDoc(rng.pick(APPS)) : r < 0.85 ? { documentType: 'Book', title: rng.pick(BOOKS) } : { documentType: 'Movie', title: rng.pick(MOVIES) };
        return { libraryDoc: { doc, acquisitionTime: rfc3339(ms) } };
      }),
    ];
  },
};

const purchases: GroupSpec = {
  spanDays: 5 * 365,
  shape: 'list',
  files(ctx) {
    const { homeCity } = userProfile(ctx.userSeed);
    return [
      listFile(ctx, `${FOLDER}/Purchase History.json`, JSON_ARRAY, (_k, ms, rng) => {
        const book = rng.chance(0.2);
        return {
          purchaseHistory: {
            invoicePrice: euros(rng.pick([99, 199, 299, 499, 999, 1499])),
            paymentMethodTitle: paymentMethod(rng),
            userLanguageCode: 'en',
            userCountry: homeCity.countryCode,
            doc: book ? { documentType: 'Book', title: rng.pick(BOOKS) } : appDoc(rng.pick(APPS)),
            purchaseTime: rfc3339(ms),
          },
        };
      }),
    ];
  },
};

const subscriptions: GroupSpec = {
  spanDays: 4 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, `${FOLDER}/Subscriptions.json`, JSON_ARRAY, (_k, ms, rng) => {
        const active = rng.chance(0.4);
        const period = rng.pick(['1 month', '1 month', '1 year']);
        const renewal = ms + (period === '1 year' ? 365 : 30) * 86_400_000;
        return {
          subscription: {
            doc: appDoc(rng.pick(APPS)),
            state: active ? 'Active' : 'Canceled',
            renewalDate: rfc3339(renewal),
            ...(active ? {} : { expirationDate: rfc3339(renewal) }),
            pricing: [{ period, price: euros(period === '1 year' ? rng.pick([2999, 4999, 5999]) : rng.pick([299, 499, 999, 1299])) }],
            paymentMethodTitle: paymentMethod(rng),
            subscriptionStartTime: rfc3339(ms),
          },
        };
      }),
    ];
  },
};

const devices: GroupSpec = {
  spanDays: 8 * 365,
  shape: 'list',
  files(ctx) {
    const { homeCity } = userProfile(ctx.userSeed);
    return [
      listFile(ctx, `${FOLDER}/Devices.json`, JSON_ARRAY, (_k, ms, rng) => {
        const device = rng.pick(DEVICES);
        return {
          device: {
            mostRecentData: {
              manufacturer: device.manufacturer,
              modelName: device.model,
              deviceName: device.deviceName,
              retailBrand: device.retailBrand,
              carrierName: rng.pick(CARRIERS),
              totalMemoryBytes: String(device.ramBytes),
              androidSdkVersion: device.sdk,
              deviceIpCountry: homeCity.countryCode,
            },
            deviceRegistrationTime: rfc3339(ms),
            userLocale: `en_${homeCity.countryCode}`,
            lastTimeDeviceActive: rfc3339(Math.min(ctx.nowMs, ms + rng.int(2 * 365) * 86_400_000)),
          },
        };
      }),
    ];
  },
};

const GROUPING_TAGS = ['recently_played', 'continue_reading', 'loyalty_member', 'trial_user', 'preregistered', 'tournament_2024'];

const grouping: GroupSpec = {
  spanDays: 2 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, `${FOLDER}/Grouping.json`, JSON_ARRAY, (_k, ms, rng) => {
        const app = rng.pick(APPS);
        return { grouping: { tag: rng.pick(GROUPING_TAGS), packageName: app.packageName, appTitle: app.title, createTime: rfc3339(ms) } };
      }),
    ];
  },
};

const playPoints: GroupSpec = {
  spanDays: 3 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, `${FOLDER}/Play Points.json`, JSON_ARRAY, (_k, ms, rng) => {
        const earned = rng.chance(0.8);
        const app = rng.pick(APPS);
        return {
          playPointsTransaction: {
            transactionTime: rfc3339(ms),
            points: earned ? rng.between(1, 150) : -rng.pick([100, 250, 500]),
            description: earned ? `Purchase in ${app.title}` : 'Redeemed for Google Play credit',
            level: rng.pick(['Bronze', 'Silver', 'Gold']),
          },
        };
      }),
    ];
  },
};

const promotions: GroupSpec = {
  spanDays: 3 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, `${FOLDER}/Promotion History.json`, JSON_ARRAY, (_k, ms, rng) => {
        const app = rng.pick(APPS);
        return {
          promotionHistory: {
            promotionDescription: rng.pick([`50% off ${app.title} Premium`, `Free trial of ${app.title}`, '€1 off your next purchase']),
            promotionType: rng.pick(['DISCOUNT', 'FREE_TRIAL', 'CREDIT']),
            doc: appDoc(app),
            redeemTime: rfc3339(ms),
          },
        };
      }),
    ];
  },
};

const redemptions: GroupSpec = {
  spanDays: 4 * 365,
  shape: 'list',
  files(ctx) {
    return [
      listFile(ctx, `${FOLDER}/Redemption History.json`, JSON_ARRAY, (_k, ms, rng) => ({
        redemptionHistory: {
          redemptionTime: rfc3339(ms),
          codeType: rng.pick(['Gift card', 'Promo code']),
          value: euros(rng.pick([500, 1000, 1500, 2500])),
          code: `${rng.chars('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', 4)}-XXXX-XXXX-XXXX`,
        },
      })),
    ];
  },
};

const userSettings: GroupSpec = {
  spanDays: 365,
  shape: 'single',
  files(ctx) {
    const rng = new Rng(mix32(ctx.seed, 0x73657474));
    return [
      objectFile(`${FOLDER}/User Settings.json`, {
        autoUpdateApps: rng.pick(['OVER_WIFI_ONLY', 'OVER_ANY_NETWORK', 'DO_NOT_AUTO_UPDATE']),
        appDownloadPreference: rng.pick(['ASK_EVERY_TIME', 'OVER_WIFI_ONLY']),
        requireAuthenticationForPurchases: rng.pick(['ALWAYS', 'EVERY_30_MINUTES', 'NEVER']),
        biometricAuthentication: rng.chance(0.6),
        parentalControls: { enabled: rng.chance(0.1), appsMaturityRating: 'RATED_18' },
        playProtectEnabled: true,
        notifications: { updates: rng.chance(0.7), autoUpdates: rng.chance(0.5), offersAndPromotions: rng.chance(0.3) },
        theme: rng.pick(['SYSTEM_DEFAULT', 'DARK', 'LIGHT']),
        updateTime: rfc3339(settingsChangedMs(ctx)),
      }),
    ];
  },
};

export const playGroups: Readonly<Record<string, GroupSpec>> = {
  'play.devices': devices,
  'play.grouping': grouping,
  'play.installs': installs,
  'play.library': library,
  'play.playpoints': playPoints,
  'play.promotions': promotions,
  'play.purchases': purchases,
  'play.redemptions': redemptions,
  'play.subscriptions': subscriptions,
  'play.usersettings': userSettings,
};
